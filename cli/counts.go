package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// queueCounts is what a queue is doing: its agents and its jobs, as
// `queue list` and `queue show` print them and --json gives them.
type queueCounts struct {
	AgentsConnected int `json:"agents_connected"`
	AgentsBusy      int `json:"agents_busy"`
	AgentsPaused    int `json:"agents_paused"`
	JobsWaiting     int `json:"jobs_waiting"`
	JobsRunning     int `json:"jobs_running"`
	// OldestWaitingSince is when the longest-waiting job became runnable;
	// LongestWaitSeconds is how long ago that was. Both are left out when
	// no job waits.
	OldestWaitingSince *time.Time `json:"oldest_waiting_since,omitempty"`
	LongestWaitSeconds int        `json:"longest_wait_seconds,omitempty"`
}

// perQueueAgentLists is how many queues are few enough to list each
// one's agents (a request each, usually) rather than the organisation's
// (a request per hundred agents, however few queues are asked about).
const perQueueAgentLists = 3

// countQueues counts the agents and jobs of the queues given, keyed by
// queue id: from GraphQL (api.QueueCounts, a query per hundred queues or
// so, a few points a queue, none of the REST budget), or, when GraphQL
// cannot be had (a token without GraphQL access, an error, its windows
// spent), from REST in a few requests whatever the number of queues: one
// list of the organisation's active builds (api.QueueLoads) for the jobs,
// and the agents of a few queues or of the whole organisation. It is the
// one place the counts come from.
var countQueues = func(ctx context.Context, c *api.Client, refs []queueRef) (map[string]queueCounts, error) {
	queues := make([]model.Queue, len(refs))
	for i, r := range refs {
		queues[i] = r.Queue
	}
	live, err := c.QueueCounts(ctx, queues)
	switch {
	case err == nil:
		return liveCounts(c.Now(), live), nil
	case !errors.Is(err, api.ErrGraphQLUnavailable):
		return nil, err
	}
	return restCounts(ctx, c, refs)
}

// liveCounts are GraphQL's numbers as the commands print them: a busy
// agent runs one job.
func liveCounts(now time.Time, live map[string]api.LiveCount) map[string]queueCounts {
	out := make(map[string]queueCounts, len(live))
	for id, l := range live {
		n := queueCounts{AgentsConnected: l.Connected, AgentsBusy: l.Busy, AgentsPaused: l.Paused,
			JobsWaiting: l.Waiting, JobsRunning: l.Busy}
		if l.Waiting > 0 && !l.OldestWaiting.IsZero() {
			s := l.OldestWaiting.UTC()
			n.OldestWaitingSince = &s
			n.LongestWaitSeconds = int(max(0, now.Sub(s)) / time.Second)
		}
		out[id] = n
	}
	return out
}

// restCounts is countQueues from REST.
func restCounts(ctx context.Context, c *api.Client, refs []queueRef) (map[string]queueCounts, error) {
	var loads map[string]model.QueueLoad
	var agents map[string][]model.Agent
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		loads, err = c.QueueLoads(gctx)
		return err
	})
	g.Go(func() error {
		var err error
		agents, err = agentsByQueue(gctx, c, refs)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	now := c.Now()
	out := make(map[string]queueCounts, len(refs))
	for _, r := range refs {
		id := r.Queue.ID
		n := queueCounts{JobsWaiting: loads[id].Waiting, JobsRunning: loads[id].Running}
		if since := loads[id].OldestWaiting; n.JobsWaiting > 0 && !since.IsZero() {
			s := since.UTC()
			n.OldestWaitingSince = &s
			n.LongestWaitSeconds = int(max(0, now.Sub(since)) / time.Second)
		}
		for _, a := range agents[id] {
			n.AgentsConnected++
			if a.Busy() {
				n.AgentsBusy++ // a paused agent still runs the job it had
			}
			if a.Paused {
				n.AgentsPaused++
			}
		}
		out[id] = n
	}
	return out, nil
}

// agentsByQueue lists the agents of the queues given, by queue id: each
// queue's own list when they are few, else the organisation's grouped by
// the queue each agent is registered to.
func agentsByQueue(ctx context.Context, c *api.Client, refs []queueRef) (map[string][]model.Agent, error) {
	out := map[string][]model.Agent{}
	if len(refs) <= perQueueAgentLists {
		lists := make([][]model.Agent, len(refs))
		g, gctx := errgroup.WithContext(ctx)
		for i, r := range refs {
			g.Go(func() error {
				// Each agent is checked against the queue: another queue's,
				// handed over by a server that ignored the filter, is not
				// counted here, and is no error.
				var err error
				lists[i], err = c.ListQueueAgents(gctx, r.Queue.ID)
				if _, partial := api.Partial(err); partial {
					err = nil
				}
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for i, r := range refs {
			out[r.Queue.ID] = lists[i]
		}
		return out, nil
	}
	all, err := c.ListAgents(ctx, model.AgentListFilter{}, nil)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if id := agentQueueID(a); id != "" {
			out[id] = append(out[id], a)
		}
	}
	return out, nil
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

// agentsCell is "busy/connected".
func (n queueCounts) agentsCell() string {
	return strconv.Itoa(n.AgentsBusy) + "/" + strconv.Itoa(n.AgentsConnected)
}

// waitingCell is the waiting jobs and the longest wait: "14 (29m)".
func (n queueCounts) waitingCell() string {
	if n.JobsWaiting == 0 || n.OldestWaitingSince == nil {
		return strconv.Itoa(n.JobsWaiting)
	}
	return fmt.Sprintf("%d (%s)", n.JobsWaiting, shortDuration(time.Duration(n.LongestWaitSeconds)*time.Second))
}

// shortDuration is a wait in its two largest units: "45s", "29m",
// "3h05m", "2d04h".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}
