package screen

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// clusters is what the home screen knows beside its list of every
// cluster: each cluster's numbers, counted in the background after the
// first paint for the clusters on screen. They come from one GraphQL
// query for the clusters on screen (Client.ClusterCounts); when GraphQL
// cannot be had (a token without access, an error, its windows spent)
// from today's REST reads: each cluster's queues, the organisation's
// active builds and its agents.
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

	// live are the clusters' numbers from GraphQL, by cluster id; rest is
	// set while they cannot be had, and the REST reads stand in.
	live map[string]api.ClusterCount
	rest bool
	// pausedDue asks the next count for the PAUSED column too: a point a
	// queue, so on open, on r, on a change another session made, and
	// every pausedEvery refreshes.
	pausedDue bool
	// countPoints and dispatchPoints are what the last count of every
	// cluster on screen was charged (0 before one): its counts, the
	// longest wait's pages included, and its PAUSED part. They pace the
	// timer's counts.
	countPoints, dispatchPoints int
}

// graphQLCountEvery is the fewest timer reloads that go by between two
// counts from GraphQL: the large organisation's home query is about 174
// points, so once a minute at the default 30 s keeps an idle home screen
// under 200 points a minute (a fifth of the user's 5,000 per five
// minutes). A count charged more (the longest wait's pages) waits longer
// (paceEvery).
const graphQLCountEvery = 2

// pausedShare is the GraphQL points a minute the PAUSED column may
// spend at the default 30 s: its read costs a point a queue (about 1,100
// for a thousand queues), so beside the counts' 174 a minute it comes
// about every 45 minutes in the large organisation, and every fourth
// reload (two minutes, as the REST recount) where queues are few. A pause
// made from this console shows at once whatever the pace; r, and a change
// another session of `serve` made, read it at once.
const pausedShare = 25

// pausedEvery is how many timer reloads go by between two reads of the
// queues' dispatch state on the home screen, from what the last read was
// charged (before one, what the queues counted ask for).
func (s *clusters) pausedEvery() int64 {
	points := s.dispatchPoints
	if points == 0 {
		for _, n := range s.live {
			points += n.Queues + 3 // the queues, and the cluster, its connection and edges
		}
	}
	return int64(max(recountEvery, points*2/pausedShare))
}

// clustersCounted is the clusters' numbers from GraphQL; points is what
// the read was charged, all is set when it counted every cluster on
// screen.
type clustersCounted struct {
	ids        []string
	counts     api.HomeCounts
	withPaused bool
	err        error
	points     int
	all        bool
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
	s := &clusters{c: c, queues: map[string][]model.Queue{}, counting: map[string]bool{}, recount: true,
		live: map[string]api.ClusterCount{}, pausedDue: true, act: activity{shared: c.Org}}
	k := c.Keys
	s.self = component.NewListScreen(c, component.ListScreenSpec[model.Cluster]{
		Title: "Clusters", LoadingTitle: true, Update: s.update,
		List: component.ListSpec[model.Cluster]{
			Legend: present.LegendClusters,
			Noun:   "clusters", Empty: "no clusters yet: n creates one", FilterCol: 2,
			Columns: []component.ListColumn[model.Cluster]{
				component.Col("", 2, 0, 0, func(cl model.Cluster) present.Cell { return present.As(present.Emoji, model.Value(cl.Emoji)) }),
				component.Col("", 1, 0, 0, func(cl model.Cluster) present.Cell { return present.As(present.Swatch, model.Value(cl.Color)) }),
				component.Col("NAME", 14, 1, 0, func(cl model.Cluster) present.Cell { return present.EmojiLabel(present.Plain, cl.Name) }),
				component.Col("DESCRIPTION", 10, 2, 100, func(cl model.Cluster) present.Cell {
					return present.As(present.Muted, common.Emojize(model.Value(cl.Description)))
				}),
				component.Col("DEFAULT QUEUE", 13, 0, 0, s.defaultQueueCell),
				component.Col("QUEUES", 6, 0, 0, s.queuesCell),
				component.Col("PAUSED", 6, 0, 0, s.pausedCell),
				component.Col("AGENTS", 7, 0, 0, s.agentsCell),
				component.Col("WAITING", 10, 0, 0, s.waitingCell),
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
				component.OnItem(k.Delete, func(cl model.Cluster) common.Reply { return confirmDeleteCluster(c, cl, s.queueCount(cl)) }).Needs(api.ActionChangeCluster),
				component.Shown[model.Cluster](k.Refresh),
				component.OnList[model.Cluster](k.Pause, func() tea.Cmd {
					return common.Flash(common.FlashInfo, "open a cluster (enter) to pause its queues, or mark queues with space")
				}).Hide(),
			},
			Link: func(cl model.Cluster) (string, string, string) { return "cluster", cl.WebURL, cl.ID },
			Load: func(ctx context.Context) ([]model.Cluster, error) { return c.Client.ListClusters(ctx, nil) },
			Took: func(cls []model.Cluster, lane org.Lane) common.Reply {
				c.Org.SetClusters(cls)
				if !s.rest {
					return common.Reply{}
				}
				// From REST, the waiting jobs of every queue: a request per
				// hundred active builds, with each load of the list.
				return common.Do(loadQueueLoads(&s.self.ScreenBase, lane))
			},
			OnScreen: func(ids []string, loaded bool) tea.Cmd {
				again := loaded && s.recount
				if loaded {
					s.recount = false
				}
				return s.countLive(ids, again)
			},
		},
	})
	return s.self
}

// countLive counts the clusters on screen in one GraphQL query, in the
// background lane: those not counted yet, or all of them when again.
// While GraphQL cannot be had the query is not even sent (the client
// knows) and the REST reads count instead (loadCounts).
func (s *clusters) countLive(onScreen []string, again bool) tea.Cmd {
	if s.rest && !again {
		// GraphQL is tried again at the next recount; until then a scroll
		// counts from REST what it brings on screen.
		return s.loadCounts(onScreen, false)
	}
	var todo []model.Cluster
	var ids []string
	withPaused := s.pausedDue
	for _, id := range onScreen {
		cl, ok := s.c.Org.Cluster(id)
		if !ok {
			continue
		}
		n, counted := s.live[id]
		if !again && (counted || s.counting[id]) {
			continue
		}
		if !n.PausedKnown {
			withPaused = true
		}
		todo, ids = append(todo, cl), append(ids, id)
	}
	if len(todo) == 0 {
		if s.rest {
			return s.loadCounts(onScreen, again)
		}
		return nil
	}
	if withPaused {
		s.pausedDue = false
	}
	for _, id := range ids {
		s.counting[id] = true
	}
	all := len(todo) == len(onScreen)
	return s.self.Run(org.Background, "counting", func(ctx context.Context) tea.Msg {
		ctx, meter := api.CountPoints(ctx)
		counts, err := s.c.Client.ClusterCounts(ctx, todo, withPaused)
		return clustersCounted{ids: ids, counts: counts, withPaused: withPaused, err: err, points: meter.Points(), all: all}
	})
}

// agentsAfterCounts lists the organisation's agents for AGENTS, from REST,
// once no cluster's queues are being counted and the list is due
// (activity.agentsDue): first the counts a person reads the home screen
// for, then the list, which on a large organisation (30 pages) spends
// the window to the reserve and waits for the next.
func (s *clusters) agentsAfterCounts() tea.Cmd {
	if !s.rest || len(s.counting) > 0 || !s.act.agentsDue(s.lastTick) {
		return nil
	}
	return s.act.loadAgents(&s.self.ScreenBase, org.Background, s.lastTick)
}

// liveOf is the cluster's numbers from GraphQL, when they are the ones
// shown.
func (s *clusters) liveOf(cl model.Cluster) (api.ClusterCount, bool) {
	if s.rest {
		return api.ClusterCount{}, false
	}
	n, ok := s.live[cl.ID]
	return n, ok
}

func (s *clusters) queueCount(cl model.Cluster) int {
	if qs, ok := s.queues[cl.ID]; ok {
		return len(qs)
	}
	return s.live[cl.ID].Queues
}

func (s *clusters) queuesCell(cl model.Cluster) present.Cell {
	if n, ok := s.liveOf(cl); ok {
		return present.Text(strconv.Itoa(n.Queues))
	}
	return s.counted(cl, func(qs []model.Queue) present.Cell { return present.Text(strconv.Itoa(len(qs))) })
}

func (s *clusters) pausedCell(cl model.Cluster) present.Cell {
	if n, ok := s.liveOf(cl); ok {
		if !n.PausedKnown {
			return present.Text("…")
		}
		return pausedNumber(n.PausedQueues)
	}
	return s.counted(cl, func(qs []model.Queue) present.Cell {
		n := 0
		for _, q := range qs {
			if q.DispatchPaused {
				n++
			}
		}
		return pausedNumber(n)
	})
}

func pausedNumber(n int) present.Cell {
	if n > 0 {
		return present.As(present.Paused, strconv.Itoa(n))
	}
	return present.As(present.Muted, "0")
}

// agentsCell is the cluster's agents, "busy/connected".
func (s *clusters) agentsCell(cl model.Cluster) present.Cell {
	if n, ok := s.liveOf(cl); ok {
		return busyOfConnected(n.Busy, n.Connected)
	}
	return s.counted(cl, func(qs []model.Queue) present.Cell {
		switch {
		case present.ScopeMissing(s.act.agentsErr) != "":
			return present.As(present.Muted, "no scope")
		case !s.act.agentsKnown:
			return present.Text("…")
		}
		busy, connected := 0, 0
		for _, q := range qs {
			busy += s.act.agents[q.ID].busy
			connected += s.act.agents[q.ID].connected
		}
		return busyOfConnected(busy, connected)
	})
}

// waitingCell is the jobs waiting on the cluster's queues, with the
// longest wait: "12 5m".
func (s *clusters) waitingCell(cl model.Cluster) present.Cell {
	if n, ok := s.liveOf(cl); ok {
		return waitingNumber(s.c.Now(), n.Waiting, n.OldestWaiting, n.OldestAtLeast)
	}
	return s.counted(cl, func(qs []model.Queue) present.Cell {
		switch {
		case present.ScopeMissing(s.act.loadsErr) != "":
			return present.As(present.Muted, "no scope")
		case !s.act.loadsKnown:
			return present.Text("…")
		}
		n := 0
		var oldest time.Time
		for _, q := range qs {
			l := s.act.loads[q.ID]
			n += l.Waiting
			if !l.OldestWaiting.IsZero() && (oldest.IsZero() || l.OldestWaiting.Before(oldest)) {
				oldest = l.OldestWaiting
			}
		}
		return waitingNumber(s.c.Now(), n, oldest, false)
	})
}

func waitingNumber(now time.Time, n int, oldest time.Time, atLeast bool) present.Cell {
	if n == 0 {
		return present.As(present.Muted, "0")
	}
	cell := present.Text(strconv.Itoa(n))
	if !oldest.IsZero() {
		cell = cell.And(present.Muted, " "+present.WaitedFor(now, oldest, atLeast))
	}
	return cell
}

// counted draws a count once the cluster's queues are known, "…" before.
func (s *clusters) counted(cl model.Cluster, draw func([]model.Queue) present.Cell) present.Cell {
	if qs, ok := s.queues[cl.ID]; ok {
		return draw(qs)
	}
	return present.Text("…")
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
	// Those never counted go first: a recount asks for every cluster on
	// screen, and when the window's background share takes only some of
	// them (on a large organisation, half), the same ones came first
	// every time and the rest stayed "…".
	onScreen = slices.Clone(onScreen)
	slices.SortStableFunc(onScreen, func(a, b string) int {
		_, ca := s.queues[a]
		_, cb := s.queues[b]
		return cmp.Compare(boolRank(ca), boolRank(cb))
	})
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
	case clustersCounted:
		for _, id := range msg.ids {
			delete(s.counting, id)
		}
		switch {
		case msg.err == nil:
			s.rest = false
			if msg.all {
				s.countPoints = msg.points - msg.counts.DispatchPoints
				if msg.withPaused {
					s.dispatchPoints = msg.counts.DispatchPoints
				}
			}
			var seen []tea.Msg
			for id, n := range msg.counts.Clusters {
				if !msg.withPaused {
					// The dispatch state read last stands, followed by
					// the pauses and resumes seen since.
					old := s.live[id]
					n.PausedQueues, n.PausedIDs, n.PausedKnown = old.PausedQueues, old.PausedIDs, old.PausedKnown
				}
				s.live[id] = n
				if msg.withPaused && n.PausedKnown {
					// The queues' keys and states came with it: the palette
					// and the default queue know them without a REST list.
					seen = append(seen, org.QueuesSeen{ClusterID: id, Queues: n.QueueList})
				}
			}
			l.Rebuild()
			return common.Ask(seen...)
		case errors.Is(msg.err, api.ErrGraphQLUnavailable):
			// Today's REST reads count instead; the header says why.
			if msg.withPaused {
				s.pausedDue = true
			}
			s.rest = true
			l.Rebuild()
			// The agents list follows once the queues are counted
			// (queuesCounted): on a large organisation it spends the
			// window to the reserve, and the counts would wait behind it.
			return common.Do(s.loadCounts(msg.ids, true), loadQueueLoads(&s.self.ScreenBase, org.Background), s.agentsAfterCounts())
		case msg.withPaused:
			// Put off (the screen was covered): the dispatch states are
			// read with the next count, not an hour later.
			s.pausedDue = true
		}
	case queuesCounted:
		delete(s.counting, msg.clusterID)
		// A count that failed stays unknown ("…"); the table is still usable.
		if msg.err == nil {
			// Asked, not sent: the counts show in the same update that ends
			// the task, so no frame shows the task done and the count unknown.
			return common.Ask(org.QueuesSeen{ClusterID: msg.clusterID, Queues: msg.queues}).With(s.agentsAfterCounts())
		}
		return common.Do(s.agentsAfterCounts())
	case org.QueuesSeen:
		s.queues[msg.ClusterID] = msg.Queues
		l.Rebuild()
	case org.QueueChanged:
		s.livePaused(msg.ClusterID, msg.Queue, false)
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
			s.live[msg.Cluster.ID] = api.ClusterCount{PausedKnown: true}
		}
	case org.QueueRemoved:
		s.livePaused(msg.ClusterID, model.Queue{ID: msg.QueueID}, true)
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
		delete(s.live, msg.ClusterID)
		l.Remove(msg.ClusterID)
	case common.RefreshMsg:
		// The timer reloads the list (one request) and now and then
		// recounts, unless the budget is low; r always recounts.
		s.recount = !msg.Auto || msg.Changed
		s.pausedDue = s.pausedDue || s.recount
		if msg.Auto && !msg.Changed {
			every := int64(recountEvery)
			if !s.rest {
				every = paceEvery(s.countPoints, graphQLCountEvery)
			}
			if every := s.pausedEvery(); s.lastTick != 0 && msg.Tick/every != s.lastTick/every {
				s.pausedDue = true
			}
			// Recount in the first reload of each block of recountEvery
			// ticks. Ticks are numbered on the wall clock, so every SSH
			// session recounts at the same reload and shares the requests;
			// a block, not tick%recountEvery == 0, because a slowed pace
			// (the budget's, or a busy machine's) skips ticks, and at four
			// times the interval a multiple of four was hit always or never.
			crossed := s.lastTick != 0 && msg.Tick/every != s.lastTick/every
			s.lastTick = msg.Tick
			s.recount = crossed && !s.c.Client.Budget().Low()
		}
	}
	return common.Reply{}
}

// livePaused follows a queue's pause, resume, creation or removal in the
// GraphQL numbers, as the REST ones follow it.
func (s *clusters) livePaused(clusterID string, q model.Queue, removed bool) {
	n, ok := s.live[clusterID]
	if !ok {
		return
	}
	was := -1
	for i, id := range n.PausedIDs {
		if id == q.ID {
			was = i
		}
	}
	if was >= 0 && (removed || !q.DispatchPaused) {
		n.PausedIDs = append(n.PausedIDs[:was:was], n.PausedIDs[was+1:]...)
		n.PausedQueues--
	}
	if was < 0 && !removed && q.DispatchPaused && n.PausedKnown {
		n.PausedIDs = append(n.PausedIDs[:len(n.PausedIDs):len(n.PausedIDs)], q.ID)
		n.PausedQueues++
	}
	if removed {
		n.Queues = max(0, n.Queues-1)
	}
	s.live[clusterID] = n
}

func init() {
	Register(Registration[NoArg]{Name: "clusters", Command: "clusters", Place: 10, Home: true,
		Open: func(c *common.Common, _ NoArg) common.Screen { return NewClustersScreen(c) }})
}

// boolRank orders false before true.
func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
