package api

import (
	"context"
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
// its current job and stays connected. in.TimeoutInMinutes, when set, must
// be within 1 minute .. 7 days (checked before anything is sent); zero
// pauses until ResumeAgent.
func (c *Client) PauseAgent(ctx context.Context, id string, in model.AgentPause) error {
	if err := model.ValidateAgentPauseTimeout(in.TimeoutInMinutes); err != nil {
		return err
	}
	signed := in
	signed.Note = c.signed(in.Note)
	return c.call(ctx, request{method: http.MethodPut, path: c.orgPath("agents", id, "pause"),
		scope: ScopeWriteAgents, body: signed, asTyped: in}, nil)
}

// ResumeAgent resumes dispatch to a paused agent. Resuming an agent that
// is not paused is a 422 "Agent is not paused".
func (c *Client) ResumeAgent(ctx context.Context, id string) error {
	// The spec's example sends an empty object.
	return c.call(ctx, request{method: http.MethodPut, path: c.orgPath("agents", id, "resume"),
		scope: ScopeWriteAgents, body: struct{}{}}, nil)
}
