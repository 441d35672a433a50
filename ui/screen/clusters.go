package screen

import (
	"context"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// clusters is what the home screen knows beside its list of every
// cluster: each cluster's queues, counted in the background after the
// first paint for the clusters on screen, and what the queues are doing.
type clusters struct {
	c    *common.Common
	self *component.ListScreen[model.Cluster]
	// queues are each cluster's, by cluster id, once seen.
	queues map[string][]model.Queue
	// act gives the WAITING column: the jobs waiting on each queue.
	act activity
	// counting are the clusters whose queues are being listed.
	counting map[string]bool
	// lastTick is the refresh tick of the last timer reload; recount is
	// set when the next load recounts every cluster on screen.
	lastTick int64
	recount  bool
}

// recountEvery is how many timer reloads of the list go by between
// recounts of every cluster's queues (one request a cluster): with the
// default 30 s, the PAUSED column is at most two minutes old.
const recountEvery = 4

// queuesCounted is one cluster's queues, listed for the counts.
type queuesCounted struct {
	clusterID string
	queues    []model.Queue
	err       error
}

// countParallel bounds the background requests for queue counts, so they
// never crowd out what a person asks for.
const countParallel = 2

// NewClustersScreen is the home screen: every cluster, with its queue
// counts.
func NewClustersScreen(c *common.Common) *component.ListScreen[model.Cluster] {
	s := &clusters{c: c, queues: map[string][]model.Queue{}, counting: map[string]bool{}, recount: true}
	k := c.Keys
	s.self = component.NewListScreen(c, component.ListScreenSpec[model.Cluster]{
		Title: "Clusters", LoadingTitle: true, Update: s.update,
		List: component.ListSpec[model.Cluster]{
			Noun: "clusters", Empty: "no clusters yet: n creates one", FilterCol: 2,
			Columns: []component.ListColumn[model.Cluster]{
				component.Col("", 2, 0, 0, func(cl model.Cluster) present.Cell { return present.As(present.Emoji, model.Value(cl.Emoji)) }),
				component.Col("", 1, 0, 0, func(cl model.Cluster) present.Cell { return present.As(present.Swatch, model.Value(cl.Color)) }),
				component.Col("NAME", 14, 1, 0, func(cl model.Cluster) string { return common.Emojize(cl.Name) }),
				component.Col("DESCRIPTION", 10, 2, 70, func(cl model.Cluster) present.Cell {
					return present.As(present.Muted, common.Emojize(model.Value(cl.Description)))
				}),
				component.Col("DEFAULT QUEUE", 13, 0, 0, s.defaultQueueCell),
				component.Col("QUEUES", 6, 0, 0, func(cl model.Cluster) present.Cell {
					return s.counted(cl, func(qs []model.Queue) present.Cell { return present.Text(strconv.Itoa(len(qs))) })
				}),
				component.Col("PAUSED", 6, 0, 0, func(cl model.Cluster) present.Cell { return s.counted(cl, pausedCell) }),
				component.Col("WAITING", 7, 0, 0, func(cl model.Cluster) present.Cell { return s.counted(cl, s.waitingCell) }),
			},
			Key: func(cl model.Cluster) string { return cl.ID },
			Match: func(cl model.Cluster) (string, int) {
				name := common.Emojize(cl.Name)
				return name, len(name)
			},
			Keys: []component.ListKey[model.Cluster]{
				component.OnItem(k.Open, func(cl model.Cluster) common.Reply {
					return Open(c, "cluster", ClusterArg{Cluster: cl, Queues: s.queues[cl.ID]})
				}),
				component.Shown[model.Cluster](k.Filter),
				component.OnList[model.Cluster](k.New, func() common.Reply { return component.PushForm(c, newClusterForm(c, nil, nil)) }).Needs(api.ActionChangeCluster),
				component.OnItem(k.Edit, func(cl model.Cluster) common.Reply {
					return component.PushForm(c, newClusterForm(c, &cl, s.queues[cl.ID]))
				}).Needs(api.ActionChangeCluster),
				component.OnItem(k.Delete, func(cl model.Cluster) common.Reply { return confirmDeleteCluster(c, cl, len(s.queues[cl.ID])) }).Needs(api.ActionChangeCluster),
				component.Shown[model.Cluster](k.Refresh),
				component.OnList[model.Cluster](k.Pause, func() tea.Cmd {
					return common.Flash(common.FlashInfo, "open a cluster (enter) to pause its queues, or mark queues with space")
				}).Hide(),
			},
			Link: func(cl model.Cluster) (string, string, string) { return "cluster", cl.WebURL, cl.ID },
			Load: func(ctx context.Context) ([]model.Cluster, error) { return c.Client.ListClusters(ctx, nil) },
			Took: func(cls []model.Cluster, lane org.Lane) common.Reply {
				c.Org.SetClusters(cls)
				// The waiting jobs of every queue: a request per hundred
				// active builds, with each load of the list.
				return common.Do(loadQueueLoads(&s.self.ScreenBase, lane))
			},
			OnScreen: func(ids []string, loaded bool) tea.Cmd {
				again := loaded && s.recount
				if loaded {
					s.recount = false
				}
				return s.loadCounts(ids, again)
			},
		},
	})
	return s.self
}

// counted draws a count once the cluster's queues are known, "…" before.
func (s *clusters) counted(cl model.Cluster, draw func([]model.Queue) present.Cell) present.Cell {
	if qs, ok := s.queues[cl.ID]; ok {
		return draw(qs)
	}
	return present.Text("…")
}

func pausedCell(qs []model.Queue) present.Cell {
	n := 0
	for _, q := range qs {
		if q.DispatchPaused {
			n++
		}
	}
	if n > 0 {
		return present.As(present.Paused, strconv.Itoa(n))
	}
	return present.As(present.Muted, "0")
}

// waitingCell is the jobs waiting on the cluster's queues.
func (s *clusters) waitingCell(qs []model.Queue) present.Cell {
	switch {
	case present.ScopeMissing(s.act.loadsErr) != "":
		return present.As(present.Muted, "no scope")
	case !s.act.loadsKnown:
		return present.Text("…")
	}
	n := 0
	for _, q := range qs {
		n += s.act.loads[q.ID].Waiting
	}
	if n == 0 {
		return present.As(present.Muted, "0")
	}
	return present.Text(strconv.Itoa(n))
}

func (s *clusters) defaultQueueCell(cl model.Cluster) present.Cell {
	if id := model.Value(cl.DefaultQueueID); id != "" {
		if k, ok := s.c.Org.QueueKey(id); ok {
			return present.Text(k)
		}
	}
	return s.counted(cl, func([]model.Queue) present.Cell { return present.As(present.Muted, "none") })
}

// loadCounts lists the queues of the clusters on screen, a few at a
// time, in the background lane: counts are worth a request only where a
// person sees them, and never one a person's look or change waits for.
// again recounts those already counted too; otherwise only the clusters
// not counted yet are (the ones a scroll brought on screen).
func (s *clusters) loadCounts(onScreen []string, again bool) tea.Cmd {
	sem := make(chan struct{}, countParallel)
	var cmds []tea.Cmd
	for _, id := range onScreen {
		if s.counting[id] && !again {
			// A recount asks again even so: a count still marked in flight
			// may have had its reply dropped, and an identical GET already
			// on its way is joined by the client, not sent twice.
			continue
		}
		if _, counted := s.queues[id]; counted && !again {
			continue
		}
		s.counting[id] = true
		cmds = append(cmds, s.self.Run(org.Background, "counting queues", func(ctx context.Context) tea.Msg {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return queuesCounted{clusterID: id, err: ctx.Err()}
			}
			defer func() { <-sem }()
			qs, err := s.c.Client.ListQueues(ctx, id, nil)
			return queuesCounted{clusterID: id, queues: qs, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

// update takes what changes the counts and the list: replies, the
// organisation's changes, and the timer's reloads.
func (s *clusters) update(l *component.List[model.Cluster], msg tea.Msg) common.Reply {
	if s.act.take(msg) {
		l.Rebuild()
		return common.Reply{}
	}
	switch msg := msg.(type) {
	case queuesCounted:
		delete(s.counting, msg.clusterID)
		// A count that failed stays unknown ("…"); the table is still usable.
		if msg.err == nil {
			// Asked, not sent: the counts show in the same update that ends
			// the task, so no frame shows the task done and the count unknown.
			return common.Ask(org.QueuesSeen{ClusterID: msg.clusterID, Queues: msg.queues})
		}
	case org.QueuesSeen:
		s.queues[msg.ClusterID] = msg.Queues
		l.Rebuild()
	case org.QueueChanged:
		if qs, ok := s.queues[msg.ClusterID]; ok {
			// A queue created here counts at once, as one deleted does.
			s.queues[msg.ClusterID], _ = org.Upsert(qs, msg.Queue, func(q model.Queue) bool { return q.ID == msg.Queue.ID })
		}
		l.Rebuild()
	case org.ClusterChanged:
		if l.Upsert(msg.Cluster) {
			// A new cluster has no queues: nothing to count. (Cells are
			// drawn when shown, so the row shows this.)
			s.queues[msg.Cluster.ID] = []model.Queue{}
		}
	case org.QueueRemoved:
		// The counts (and the delete dialog's "queues known") follow a
		// deletion at once.
		if qs, ok := s.queues[msg.ClusterID]; ok {
			kept := qs[:0:0]
			for _, q := range qs {
				if q.ID != msg.QueueID {
					kept = append(kept, q)
				}
			}
			s.queues[msg.ClusterID] = kept
			l.Rebuild()
		}
	case org.ClusterRemoved:
		delete(s.queues, msg.ClusterID)
		l.Remove(msg.ClusterID)
	case common.RefreshMsg:
		// The timer reloads the list (one request) and now and then
		// recounts, unless the budget is low; r always recounts.
		s.recount = !msg.Auto || msg.Changed
		if msg.Auto && !msg.Changed {
			// Recount in the first reload of each block of recountEvery
			// ticks. Ticks are numbered on the wall clock, so every SSH
			// session recounts at the same reload and shares the requests;
			// a block, not tick%recountEvery == 0, because a slowed pace
			// (the budget's, or a busy machine's) skips ticks, and at four
			// times the interval a multiple of four was hit always or never.
			crossed := s.lastTick != 0 && msg.Tick/recountEvery != s.lastTick/recountEvery
			s.lastTick = msg.Tick
			s.recount = crossed && !s.c.Client.Budget().Low()
		}
	}
	return common.Reply{}
}

func init() {
	Register(Registration[NoArg]{Name: "clusters", Command: "clusters", Place: 10, Home: true,
		Open: func(c *common.Common, _ NoArg) common.Screen { return NewClustersScreen(c) }})
}
