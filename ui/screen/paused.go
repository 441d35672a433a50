package screen

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// The paused screen (:paused): every paused queue and agent of the
// organisation in one list, who paused it, when, why and for how long,
// with resume from there. Its load is the clusters, each cluster's queues
// (two clusters at a time) and the organisation's agents. The timer
// reloads it in the background lane, as often as its cost allows
// (pausedReadEvery: on a large organisation every queue's dispatch state
// is a thousand GraphQL points, or 25 REST lists and the agents'), and
// the title says how old it is; an agent's pause past its end is dropped
// at once, before any reload says so.

// PausedItem is a paused queue or a paused agent (with its queue).
type PausedItem struct {
	Queue common.QueueRef
	// Agent is set for a paused agent; Queue is then its queue, when
	// known.
	Agent *model.Agent
}

func (p PausedItem) key() string {
	if p.Agent != nil {
		return "agent:" + p.Agent.ID
	}
	return "queue:" + p.Queue.Queue.ID
}

// where is the queue's cluster and key: "Default › macos".
func (p PausedItem) where() string {
	return common.Emojize(p.Queue.ClusterName) + " › " + p.Queue.Queue.Key
}

func (p PausedItem) who() (*model.User, *model.Timestamp, string) {
	if p.Agent != nil {
		return p.Agent.PausedBy, p.Agent.PausedAt, model.Value(p.Agent.PausedNote)
	}
	q := p.Queue.Queue
	return q.DispatchPausedBy, q.DispatchPausedAt, model.Value(q.DispatchPausedNote)
}

// pausedReadEvery is how many timer refreshes (at the default 30 s) a
// read of :paused that cost points GraphQL points and requests REST
// requests takes to stay within an idle screen's share of each: the
// counts' countShare of points, restShare of requests, a minute.
func pausedReadEvery(points, requests int) int64 {
	return int64(max(1, (points*2+countShare-1)/countShare, (requests*2+restShare-1)/restShare))
}

// listPaused gathers what is paused in the organisation: from GraphQL
// the queues (every cluster's dispatch state, who paused, when and why, a
// point a queue) and which queues have paused agents, whose agents alone
// are then listed over REST; from REST, when GraphQL cannot be had, every
// cluster's queues and the organisation's agents. every is how many
// timer refreshes the read's cost asks to wait until the next.
func listPaused(ctx context.Context, c *common.Common) (_ []PausedItem, every int64, _ error) {
	clusters, err := c.Client.ListClusters(ctx, nil)
	if err != nil {
		return nil, 1, err
	}
	if out, every, err := listPausedLive(ctx, c, clusters); !errors.Is(err, api.ErrGraphQLUnavailable) {
		return out, every, err
	}
	queues := make([][]model.Queue, len(clusters))
	errs := make([]error, len(clusters))
	sem := make(chan struct{}, countParallel)
	var wg sync.WaitGroup
	for i, cl := range clusters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			queues[i], errs[i] = c.Client.ListQueues(ctx, cl.ID, nil)
		}()
	}
	agents, agentsErr := c.Client.ListAgents(ctx, model.AgentListFilter{}, nil)
	wg.Wait()
	var out []PausedItem
	byID := map[string]common.QueueRef{}
	// The clusters, a page of queues a cluster and of agents a hundred.
	requests := 1 + len(agents)/100 + 1
	for i, cl := range clusters {
		if errs[i] != nil {
			return nil, 1, errs[i]
		}
		requests += 1 + len(queues[i])/100
		for _, q := range queues[i] {
			ref := common.QueueRef{ClusterID: cl.ID, ClusterName: cl.Name, Queue: q}
			byID[q.ID] = ref
			if q.DispatchPaused {
				out = append(out, PausedItem{Queue: ref})
			}
		}
	}
	// Without read_agents the queues are still listed.
	if agentsErr != nil && present.ScopeMissing(agentsErr) == "" {
		return nil, 1, agentsErr
	}
	now := c.Now()
	for _, a := range agents {
		if a.Paused && !pauseEnded(now, a) {
			a := a
			out = append(out, PausedItem{Queue: byID[agentQueueID(a)], Agent: &a})
		}
	}
	sortPaused(out)
	return out, pausedReadEvery(0, requests), nil
}

// listPausedLive is listPaused from GraphQL, with the agents of the
// queues that have paused ones from REST.
func listPausedLive(ctx context.Context, c *common.Common, clusters []model.Cluster) ([]PausedItem, int64, error) {
	ctx, meter := api.CountPoints(ctx)
	dispatch, err := c.Client.ClusterDispatch(ctx, clusters)
	if err != nil {
		return nil, 1, err
	}
	agentQueues, all, err := c.Client.PausedAgentQueues(ctx)
	if err != nil {
		return nil, 1, err
	}
	var out []PausedItem
	byID := map[string]common.QueueRef{}
	requests := 1
	for _, cl := range clusters {
		n := dispatch[cl.ID]
		if !n.PausedKnown {
			// Over a hundred queues: the cluster's own list says.
			return nil, 1, &api.GraphQLUnavailableError{Reason: api.GraphQLFailed, Err: errors.New("a cluster has more queues than one query reads")}
		}
		for _, q := range n.QueueList {
			ref := common.QueueRef{ClusterID: cl.ID, ClusterName: cl.Name, Queue: q}
			byID[q.ID] = ref
			if q.DispatchPaused {
				out = append(out, PausedItem{Queue: ref})
			}
		}
	}
	var agents []model.Agent
	if !all {
		agents, err = c.Client.ListAgents(ctx, model.AgentListFilter{}, nil)
		requests += 1 + len(agents)/100
	} else {
		requests += len(agentQueues)
		ids := make([]string, 0, len(agentQueues))
		for id := range agentQueues {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		lists := make([][]model.Agent, len(ids))
		errs := make([]error, len(ids))
		sem := make(chan struct{}, countParallel)
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				lists[i], errs[i] = c.Client.ListAgents(ctx, model.AgentListFilter{ClusterQueueID: id}, nil)
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil {
				err = errs[i]
				break
			}
			agents = append(agents, lists[i]...)
		}
	}
	// Without read_agents the queues are still listed.
	if err != nil && present.ScopeMissing(err) == "" {
		return nil, 1, err
	}
	for _, a := range agents {
		if a.Paused {
			a := a
			out = append(out, PausedItem{Queue: byID[agentQueueID(a)], Agent: &a})
		}
	}
	sortPaused(out)
	// Every query's charge as the API said it, not a reckoning of it.
	return out, pausedReadEvery(meter.Points(), requests), nil
}

// sortPaused puts the latest pauses first, those of unknown time last.
func sortPaused(out []PausedItem) {
	sort.SliceStable(out, func(i, j int) bool {
		_, ai, _ := out[i].who()
		_, aj, _ := out[j].who()
		if ai == nil || aj == nil {
			return aj == nil && ai != nil
		}
		return ai.After(aj.Time)
	})
}

// pauseEnded reports an agent's pause that timed out by now: the agent
// takes jobs again, whatever a list read before says.
func pauseEnded(now time.Time, a model.Agent) bool {
	until, ok := present.AgentPauseEnds(a)
	return ok && !now.Before(until)
}

// NewPausedScreen is :paused.
func NewPausedScreen(c *common.Common) *component.ListScreen[PausedItem] {
	k := c.Keys
	var self *component.ListScreen[PausedItem]
	// readEvery is what the last read's cost asks of the timer (set where
	// the read runs, off the program's loop).
	var readEvery atomic.Int64
	readEvery.Store(1)
	run := func(label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
		return self.RunUnder(c.AppCtx, org.Interactive, label, fn)
	}
	resume := func(p PausedItem) common.Reply {
		if p.Agent != nil {
			return resumeAgents(c, run, p.Queue, []model.Agent{*p.Agent})
		}
		return common.Ask(common.ResumeMsg{Targets: []common.QueueRef{p.Queue}})
	}
	self = component.NewListScreen(c, component.ListScreenSpec[PausedItem]{
		Crumb: "Paused", Title: "Paused queues and agents",
		Load: func(ctx context.Context) ([]PausedItem, error) {
			items, every, err := listPaused(ctx, c)
			if err == nil {
				// A read put off or failed keeps the pace of the last:
				// part of it was read, and spent, all the same.
				readEvery.Store(every)
			}
			return items, err
		},
		AutoEvery: func() int64 { return readEvery.Load() },
		List: component.ListSpec[PausedItem]{
			Legend: present.LegendPaused,
			Noun:   "paused queues and agents", Empty: "nothing is paused: every queue dispatches and every agent takes jobs",
			Columns: []component.ListColumn[PausedItem]{
				component.Col("WHAT", 6, 0, 0, func(p PausedItem) string {
					if p.Agent != nil {
						return "agent"
					}
					return "queue"
				}),
				component.Col("NAME", 16, 2, 0, func(p PausedItem) present.Cell {
					where := p.where()
					if p.Agent != nil {
						if p.Queue.Queue.ID == "" {
							return present.Text(p.Agent.Name)
						}
						return present.Text(p.Agent.Name).And(present.Muted, " ("+where+")")
					}
					return present.Text(where)
				}),
				component.Col("PAUSED BY", 12, 0, 0, func(p PausedItem) string {
					by, _, _ := p.who()
					return by.DisplayName()
				}),
				component.Col("WHEN", 8, 0, 100, func(p PausedItem) present.Cell {
					_, at, _ := p.who()
					if at == nil {
						return present.As(present.Muted, "—")
					}
					return present.Text(present.Ago(c.Now(), at.Time))
				}),
				component.Col("NOTE", 12, 4, 0, func(p PausedItem) string {
					_, _, note := p.who()
					return note
				}),
				component.Col("FOR", 13, 0, 0, func(p PausedItem) present.Cell {
					if p.Agent != nil {
						if until, ok := present.AgentPauseEnds(*p.Agent); ok {
							return present.Text("ends " + present.Until(c.Now(), until))
						}
					}
					return present.As(present.Muted, "until resumed")
				}),
			},
			Key:       func(p PausedItem) string { return p.key() },
			FilterCol: 1,
			Match: func(p PausedItem) (string, int) {
				_, _, note := p.who()
				name := p.where()
				if p.Agent != nil {
					name = p.Agent.Name
				}
				return name + " " + note, len(name)
			},
			Keys: []component.ListKey[PausedItem]{
				component.OnItem(k.Open, func(p PausedItem) common.Reply {
					cl, ok := c.Org.Cluster(p.Queue.ClusterID)
					if !ok || p.Queue.Queue.ID == "" {
						return common.Do(common.Flash(common.FlashInfo, "its queue is not known here"))
					}
					return Open(c, "queue", QueueArg{Cluster: cl, Queue: p.Queue.Queue})
				}),
				component.OnItem(present.WithHelp(k.Pause, "resume"), resume),
				component.Shown[PausedItem](k.Filter),
				component.Shown[PausedItem](k.Refresh),
				component.Shown[PausedItem](k.Back),
			},
		},
		Update: func(l *component.List[PausedItem], msg tea.Msg) common.Reply {
			switch msg := msg.(type) {
			case common.RefreshMsg:
				now := c.Now()
				for _, p := range l.Items {
					if p.Agent != nil && pauseEnded(now, *p.Agent) {
						l.Remove(p.key())
					}
				}
				// WHEN and FOR move on with the clock between reads.
				l.Rebuild()
			case org.QueueChanged:
				if !msg.Queue.DispatchPaused {
					l.Remove("queue:" + msg.Queue.ID)
				}
			case agentsDone:
				return common.Do(tea.Batch(msg.Flash(), self.Reload()))
			case common.AgentsChanged:
				return common.Do(self.Reload())
			}
			return common.Reply{}
		},
	})
	return self
}

func init() {
	// Over what is on show: it is looked at in the middle of an incident.
	Register(Registration[NoArg]{Name: "paused", Command: "paused", Place: 50, Over: true,
		Open: func(c *common.Common, _ NoArg) common.Screen { return NewPausedScreen(c) }})
}
