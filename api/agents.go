package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/kiteconsole/kiteconsole/model"
)

// ListAgents lists the organisation's connected and stopping agents that
// match filter (the API returns no others), every page (see PageFunc for
// onPage).
func (c *Client) ListAgents(ctx context.Context, filter model.AgentListFilter, onPage PageFunc[model.Agent]) ([]model.Agent, error) {
	q := url.Values{}
	for k, v := range map[string]string{"name": filter.Name, "hostname": filter.Hostname,
		"version": filter.Version, "cluster_queue_id": filter.ClusterQueueID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	path := c.orgPath("agents")
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return list(ctx, c, ScopeReadAgents, path, onPage)
}

// GetAgent gets one agent, in any connection state.
func (c *Client) GetAgent(ctx context.Context, id string) (model.Agent, error) {
	return callFor[model.Agent](ctx, c, request{method: http.MethodGet, path: c.orgPath("agents", id), scope: ScopeReadAgents})
}

// StopAgent tells a connected agent to stop. With force, the job it is
// running is cancelled, and with it the job's build; without, the agent
// finishes its job first. Stopping an agent that is not connected is a
// 400 "Can only stop connected agents".
func (c *Client) StopAgent(ctx context.Context, id string, force bool) error {
	return c.call(ctx, request{method: http.MethodPut, path: c.orgPath("agents", id, "stop"),
		scope: ScopeWriteAgents, body: model.AgentStop{Force: force}}, nil)
}

// PauseAgent stops jobs being dispatched to an agent, which keeps running
// its current job and stays connected, until ResumeAgent or the pause's
// timeout: in.TimeoutInMinutes, when set, must be within 1 minute .. 7 days
// (checked before anything is sent); zero is Buildkite's default of
// model.DefaultAgentPauseMinutes, which is sent as such, not left out.
func (c *Client) PauseAgent(ctx context.Context, id string, in model.AgentPause) error {
	if err := model.ValidateAgentPauseTimeout(in.TimeoutInMinutes); err != nil {
		return err
	}
	in.TimeoutInMinutes = in.Timeout()
	return c.call(ctx, request{method: http.MethodPut, path: c.orgPath("agents", id, "pause"),
		scope: ScopeWriteAgents, body: in}, nil)
}

// ResumeAgent resumes dispatch to a paused agent. Resuming an agent that
// is not paused is a 422 "Agent is not paused".
func (c *Client) ResumeAgent(ctx context.Context, id string) error {
	// The spec's example sends an empty object.
	return c.call(ctx, request{method: http.MethodPut, path: c.orgPath("agents", id, "resume"),
		scope: ScopeWriteAgents, body: struct{}{}}, nil)
}

// ErrNotReadBack is a change that was done but whose result could not be
// read again: it must not be reported as failed (errors.Is; the read's
// own error is wrapped too).
var ErrNotReadBack = errors.New("done, but not read back")

// StopAgentAndGet stops an agent as StopAgent does and reads it again, so
// that what is said is what the API did: a graceful stop of a busy agent
// leaves it stopping (it finishes its job first), not stopped. A stop
// whose agent cannot be read again is ErrNotReadBack.
func (c *Client) StopAgentAndGet(ctx context.Context, id string, force bool) (model.Agent, error) {
	if err := c.StopAgent(ctx, id, force); err != nil {
		return model.Agent{}, err
	}
	a, err := c.GetAgent(ctx, id)
	if err != nil {
		return model.Agent{}, fmt.Errorf("%w: %w", ErrNotReadBack, err)
	}
	return a, nil
}

// ListQueueAgents lists the agents registered to a queue (cluster_queue_id
// filter) and checks each against it: an agent whose web_url names
// another queue is left out and reported (a SkippedError with the rest,
// see Partial), so that a server that ignored the filter cannot lead a
// stop of "every agent of this queue" to other queues' agents.
func (c *Client) ListQueueAgents(ctx context.Context, queueID string) ([]model.Agent, error) {
	agents, err := c.ListAgents(ctx, model.AgentListFilter{ClusterQueueID: queueID}, nil)
	kept := agents[:0]
	var other *SkippedError
	for _, a := range agents {
		if q, known := a.ClusterQueueID(); known && q != queueID {
			if other == nil {
				other = &SkippedError{First: fmt.Errorf("agent %s is registered to queue %s, not %s", a.Name, q, queueID)}
			}
			other.Count++
			continue
		}
		kept = append(kept, a)
	}
	if other != nil && err == nil {
		err = other
	}
	return kept, err
}
