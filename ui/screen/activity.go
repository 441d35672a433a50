package screen

import (
	"cmp"
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// What every queue of the organisation is doing, for the columns of the
// cluster and home screens: the waiting and running jobs of each queue
// from one list of the organisation's active builds (Client.QueueLoads, a
// request per hundred active builds), and the busy and connected agents
// of each queue from one list of the organisation's agents (a request per
// hundred agents). Never a request per queue.

// restShare is the REST requests a minute an idle screen may spend
// (issue 28's aim: at most 5).
const restShare = 5

// agentsEvery is how many timer reloads go by between two lists of the
// organisation's agents: with thousands of agents that list is tens of
// requests, so the AGENTS column is at most two minutes old at the
// default 30 s, while WAITING follows every reload.
const agentsEvery = 4

type loadsLoaded struct {
	loads map[string]model.QueueLoad
	err   error
}

type orgAgentsLoaded struct {
	counts map[string]agentCounts
	// pages is the requests the list took: its cost, for its pace.
	pages int
	err   error
}

// activity holds the organisation's queue loads and agent counts.
type activity struct {
	loads       map[string]model.QueueLoad
	loadsErr    error
	agents      map[string]agentCounts
	agentsErr   error
	loadsKnown  bool
	agentsKnown bool
	// agentsAsked is set while a list of the agents is on its way (it may
	// wait minutes for the window): one at a time. agentsPages is what
	// the last list cost; agentsTick the refresh tick it was asked at.
	agentsAsked bool
	agentsPages int
	agentsTick  int64
	// shared is where screens that count from REST share the latest
	// whole list of the agents (org.AgentsRead); nil in tests of one
	// screen's counts.
	shared *org.State
}

// adopt takes the latest list of the agents another screen read, when
// it is newer than this screen's own.
func (a *activity) adopt() {
	if a.shared == nil {
		return
	}
	r, ok := a.shared.Agents()
	if !ok || (a.agentsKnown && r.Tick <= a.agentsTick) {
		return
	}
	counts := make(map[string]agentCounts, len(r.ByQueue))
	for id, n := range r.ByQueue {
		counts[id] = agentCounts{connected: n.Connected, busy: n.Busy, idle: n.Idle, paused: n.Paused}
	}
	a.agents, a.agentsKnown, a.agentsErr = counts, true, nil
	a.agentsPages, a.agentsTick = r.Pages, r.Tick
}

// loadAgents lists the organisation's agents, unless a list is on its
// way; tick is the refresh it is asked at (agentsDue). One nobody asked
// for just now is a bulk read, not a background one: on a large
// organisation the list (30 pages) is longer than the background share
// of a user's window (a quarter of 50), so that lane put it off before
// its last page in every window and AGENTS never showed. Paced by its
// cost (agentsDue), it waits for the window above the reserve instead.
func (a *activity) loadAgents(b *common.ScreenBase, lane org.Lane, tick int64) tea.Cmd {
	if a.agentsAsked {
		return nil
	}
	if a.adopt(); a.agentsKnown && a.agentsTick == tick {
		return nil // another screen read it at this refresh
	}
	if lane == org.Background {
		lane = org.Bulk
	}
	a.agentsAsked, a.agentsTick = true, tick
	return loadOrgAgents(b, lane)
}

// agentsDue says whether the timer's refresh at tick lists the agents
// again: until they are known, at each; then once in each block of
// agentsEvery refreshes, or of more when the last list cost more than an
// idle screen's share of REST requests a minute allows (restShare): on
// a large organisation (30 pages) every six or seven minutes.
func (a *activity) agentsDue(tick int64) bool {
	if a.adopt(); !a.agentsKnown {
		return true
	}
	every := max(agentsEvery, int64((a.agentsPages*2+restShare-1)/restShare))
	return tick/every != a.agentsTick/every
}

func loadQueueLoads(b *common.ScreenBase, lane org.Lane) tea.Cmd {
	return b.Run(lane, "loading jobs", func(ctx context.Context) tea.Msg {
		loads, err := b.C.Client.QueueLoads(ctx)
		return loadsLoaded{loads: loads, err: err}
	})
}

func loadOrgAgents(b *common.ScreenBase, lane org.Lane) tea.Cmd {
	return b.Run(lane, "loading agents", func(ctx context.Context) tea.Msg {
		var agents []model.Agent
		pages := 0
		_, err := b.C.Client.ListAgents(ctx, model.AgentListFilter{}, func(p api.Page[model.Agent]) error {
			agents, pages = append(agents, p.Items...), pages+1
			return nil
		})
		if err != nil {
			return orgAgentsLoaded{err: err}
		}
		byQueue := map[string][]model.Agent{}
		for _, a := range agents {
			if id := agentQueueID(a); id != "" {
				byQueue[id] = append(byQueue[id], a)
			}
		}
		counts := make(map[string]agentCounts, len(byQueue))
		for id, as := range byQueue {
			counts[id] = countAgents(as)
		}
		return orgAgentsLoaded{counts: counts, pages: pages}
	})
}

// take applies a reply; it reports whether the message was one.
func (a *activity) take(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case loadsLoaded:
		if common.Deferred(msg.err) {
			return true
		}
		a.loadsErr = msg.err
		if msg.err == nil {
			a.loads, a.loadsKnown = msg.loads, true
		}
		return true
	case orgAgentsLoaded:
		a.agentsAsked = false
		if common.Deferred(msg.err) {
			return true
		}
		a.agentsErr = msg.err
		if msg.err == nil {
			a.agents, a.agentsKnown, a.agentsPages = msg.counts, true, msg.pages
			if a.shared != nil {
				byQueue := make(map[string]org.AgentCount, len(msg.counts))
				for id, n := range msg.counts {
					byQueue[id] = org.AgentCount{Connected: n.connected, Busy: n.busy, Idle: n.idle, Paused: n.paused}
				}
				a.shared.SetAgents(org.AgentsRead{ByQueue: byQueue, Pages: msg.pages, Tick: a.agentsTick})
			}
		}
		return true
	}
	return false
}

// agentQueueID is the queue an agent is registered to, from its web URL
// (.../clusters/{cluster}/queues/{queue}/agents/{id}): the agent's data
// has no cluster_queue_id of its own, and its queue tag is a key that
// several clusters may share.
func agentQueueID(a model.Agent) string {
	_, rest, ok := strings.Cut(a.WebURL, "/queues/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// agentsCell is "busy/connected", "—" when the token may not read
// agents, "…" before the first list.
func (a *activity) agentsCell(q model.Queue) present.Cell {
	switch {
	case present.ScopeMissing(a.agentsErr) != "":
		return present.As(present.Muted, "no scope")
	case !a.agentsKnown:
		return present.As(present.Muted, "…")
	}
	n := a.agents[q.ID]
	if n.connected == 0 {
		return present.As(present.Muted, "0/0")
	}
	return present.Text(strconv.Itoa(n.busy) + "/" + strconv.Itoa(n.connected))
}

// waitingCell is the queue's waiting jobs, with the longest wait.
func (a *activity) waitingCell(now time.Time, q model.Queue) present.Cell {
	switch {
	case present.ScopeMissing(a.loadsErr) != "":
		return present.As(present.Muted, "no scope")
	case !a.loadsKnown:
		return present.As(present.Muted, "…")
	}
	l := a.loads[q.ID]
	if l.Waiting == 0 {
		return present.As(present.Muted, "0")
	}
	cell := present.Text(strconv.Itoa(l.Waiting))
	if q.DispatchPaused {
		cell = present.As(present.Paused, strconv.Itoa(l.Waiting))
	}
	if !l.OldestWaiting.IsZero() {
		cell = cell.And(present.Muted, " "+strings.TrimSuffix(present.Ago(now, l.OldestWaiting), " ago"))
	}
	return cell
}

// compareWaiting orders queues by their waiting jobs, then by how long
// the oldest has waited: a sort by the WAITING column.
func (a *activity) compareWaiting(x, y model.Queue) int {
	lx, ly := a.loads[x.ID], a.loads[y.ID]
	if lx.Waiting != ly.Waiting {
		return cmp.Compare(lx.Waiting, ly.Waiting)
	}
	// An older wait (an earlier time) sorts as the longer one.
	return ly.OldestWaiting.Compare(lx.OldestWaiting)
}

// holds is what a pause of q will hold, when the loads are known.
func (a *activity) holds(q model.Queue) string {
	agents := -1
	if a.agentsKnown && a.agentsErr == nil {
		agents = a.agents[q.ID].connected
	}
	if !a.loadsKnown || a.loadsErr != nil {
		return HoldsText(nil, agents)
	}
	l := a.loads[q.ID]
	return HoldsText(&l, agents)
}

// liveHolds is what a pause holds, from GraphQL's numbers: a busy agent
// runs one job.
func liveHolds(n api.LiveCount) string {
	return HoldsText(&model.QueueLoad{Waiting: n.Waiting, Running: n.Busy, OldestWaiting: n.OldestWaiting}, n.Connected)
}
