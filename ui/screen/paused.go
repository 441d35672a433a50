package screen

import (
	"context"
	"sort"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// The paused screen (:paused): every paused queue and agent of the
// organisation in one list, who paused it, when, why and for how long,
// with resume from there. Its load is the clusters, each cluster's queues
// (two clusters at a time) and the organisation's agents; so the timer
// does not reload it: r does, and a pause or resume made here shows at
// once.

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

// listPaused gathers what is paused in the organisation.
func listPaused(ctx context.Context, c *common.Common) ([]PausedItem, error) {
	clusters, err := c.Client.ListClusters(ctx, nil)
	if err != nil {
		return nil, err
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
	for _, a := range agents {
		if a.Paused {
			a := a
			out = append(out, PausedItem{Queue: byID[agentQueueID(a)], Agent: &a})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		_, ai, _ := out[i].who()
		_, aj, _ := out[j].who()
		if ai == nil || aj == nil {
			return aj == nil && ai != nil
		}
		return ai.After(aj.Time)
	})
	return out, nil
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
		Crumb: "paused", Title: "Paused queues and agents",
		Load:       func(ctx context.Context) ([]PausedItem, error) { return listPaused(ctx, c) },
		ManualOnly: true,
		List: component.ListSpec[PausedItem]{
			Noun: "paused queues and agents", Empty: "nothing is paused: every queue dispatches and every agent takes jobs",
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
				component.Col("WHEN", 8, 0, 0, func(p PausedItem) present.Cell {
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
				component.Col("FOR", 13, 0, 110, func(p PausedItem) present.Cell {
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
