package screen

import (
	"context"
	"errors"
	"sort"
	"sync"
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
// reloads it as it does other screens (in the background lane, so within
// the budget's share): what is looked at in an incident must not read
// "ends in 51s" a minute on. An agent's pause past its end is dropped at
// once, before the reload says so.

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

// listPaused gathers what is paused in the organisation: from GraphQL
// the queues (every cluster's dispatch state, who paused, when and why, a
// point a queue) and which queues have paused agents, whose agents alone
// are then listed over REST; from REST, when GraphQL cannot be had, every
// cluster's queues and the organisation's agents.
func listPaused(ctx context.Context, c *common.Common) ([]PausedItem, error) {
	clusters, err := c.Client.ListClusters(ctx, nil)
	if err != nil {
		return nil, err
	}
	if out, err := listPausedLive(ctx, c, clusters); !errors.Is(err, api.ErrGraphQLUnavailable) {
		return out, err
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
	for i, cl := range clusters {
		if errs[i] != nil {
			return nil, errs[i]
		}
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
		return nil, agentsErr
	}
	now := c.Now()
	for _, a := range agents {
		if a.Paused && !pauseEnded(now, a) {
			a := a
			out = append(out, PausedItem{Queue: byID[agentQueueID(a)], Agent: &a})
		}
	}
	sortPaused(out)
	return out, nil
}

// listPausedLive is listPaused from GraphQL, with the agents of the
// queues that have paused ones from REST.
func listPausedLive(ctx context.Context, c *common.Common, clusters []model.Cluster) ([]PausedItem, error) {
	home, err := c.Client.ClusterCounts(ctx, clusters, true)
	if err != nil {
		return nil, err
	}
	agentQueues, all, err := c.Client.PausedAgentQueues(ctx)
	if err != nil {
		return nil, err
	}
	var out []PausedItem
	byID := map[string]common.QueueRef{}
	for _, cl := range clusters {
		n := home.Clusters[cl.ID]
		if !n.PausedKnown {
			// Over a hundred queues: the cluster's own list says.
			return nil, &api.GraphQLUnavailableError{Reason: api.GraphQLFailed, Err: errors.New("a cluster has more queues than one query reads")}
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
	} else {
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
		return nil, err
	}
	for _, a := range agents {
		if a.Paused {
			a := a
			out = append(out, PausedItem{Queue: byID[agentQueueID(a)], Agent: &a})
		}
	}
	sortPaused(out)
	return out, nil
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
		Load: func(ctx context.Context) ([]PausedItem, error) { return listPaused(ctx, c) },
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
