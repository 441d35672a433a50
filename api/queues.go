package api

import (
	"context"
	"net/http"

	"github.com/kiteconsole/kiteconsole/model"
)

// ListQueues lists a cluster's queues, every page (see PageFunc for onPage).
func (c *Client) ListQueues(ctx context.Context, clusterID string, onPage PageFunc[model.Queue]) ([]model.Queue, error) {
	return list(ctx, c, ScopeReadClusters, c.orgPath("clusters", clusterID, "queues"), onPage)
}

// GetQueue gets one queue.
func (c *Client) GetQueue(ctx context.Context, clusterID, id string) (model.Queue, error) {
	return callFor[model.Queue](ctx, c, request{method: http.MethodGet, path: c.orgPath("clusters", clusterID, "queues", id), scope: ScopeReadClusters})
}

// CreateSelfHostedQueue creates a queue for the organisation's own agents.
func (c *Client) CreateSelfHostedQueue(ctx context.Context, clusterID, key, description string) (model.Queue, error) {
	return c.createQueue(ctx, clusterID, model.QueueCreate{Key: key, Description: description})
}

// CreateHostedQueue creates a queue of Buildkite hosted agents of the
// given instance shape (see model.InstanceShapes).
func (c *Client) CreateHostedQueue(ctx context.Context, clusterID, key, description, instanceShape string) (model.Queue, error) {
	return c.createQueue(ctx, clusterID, model.QueueCreate{Key: key, Description: description,
		HostedAgents: &model.HostedAgentsRequest{InstanceShape: instanceShape}})
}

// CreateQueue creates a queue from a whole request: self-hosted, or
// hosted when in.HostedAgents is set, with in.RetryAgentAffinity when set.
func (c *Client) CreateQueue(ctx context.Context, clusterID string, in model.QueueCreate) (model.Queue, error) {
	return c.createQueue(ctx, clusterID, in)
}

func (c *Client) createQueue(ctx context.Context, clusterID string, in model.QueueCreate) (model.Queue, error) {
	return callFor[model.Queue](ctx, c, request{method: http.MethodPost, path: c.orgPath("clusters", clusterID, "queues"), scope: ScopeWriteClusters, body: in})
}

// UpdateQueue changes a queue's description and, for a hosted queue, its
// size (never its machine type or architecture: model.ResizeAllowed).
func (c *Client) UpdateQueue(ctx context.Context, clusterID, id string, in model.QueueUpdate) (model.Queue, error) {
	return callFor[model.Queue](ctx, c, request{method: http.MethodPut, path: c.orgPath("clusters", clusterID, "queues", id), scope: ScopeWriteClusters, body: in})
}

// DeleteQueue deletes a queue.
func (c *Client) DeleteQueue(ctx context.Context, clusterID, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: c.orgPath("clusters", clusterID, "queues", id), scope: ScopeWriteClusters}, nil)
}

// PauseQueue stops jobs being dispatched to the queue's agents, with a
// note (which may be empty), and returns the queue as the server has it.
// Pausing a paused queue is a 422 "Cluster queue is already paused".
func (c *Client) PauseQueue(ctx context.Context, clusterID, id, note string) (model.Queue, error) {
	var out model.Queue
	err := c.call(ctx, request{method: http.MethodPost, path: c.orgPath("clusters", clusterID, "queues", id, "pause_dispatch"),
		scope: ScopeWriteClusters, body: model.QueuePause{Note: c.signed(note)}, asTyped: model.QueuePause{Note: note}}, &out)
	if err != nil || out.ID != "" {
		return out, err
	}
	// The docs show the queue in the reply; should one come without it,
	// read it (the pause is done: this is only what to show).
	return c.GetQueue(ctx, clusterID, id)
}

// ResumeQueue resumes dispatch to a paused queue and returns the queue
// as the server has it. Resuming a running queue is a 422 "Cluster queue
// is not paused".
func (c *Client) ResumeQueue(ctx context.Context, clusterID, id string) (model.Queue, error) {
	var out model.Queue
	err := c.call(ctx, request{method: http.MethodPost, path: c.orgPath("clusters", clusterID, "queues", id, "resume_dispatch"),
		scope: ScopeWriteClusters}, &out)
	if err != nil || out.ID != "" {
		return out, err
	}
	// Resumed, but the reply did not carry the queue (an empty body, or
	// an object without an id): read it rather than hand back a blank row.
	return c.GetQueue(ctx, clusterID, id)
}
