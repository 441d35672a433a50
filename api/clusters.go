package api

import (
	"context"
	"net/http"

	"github.com/kiteconsole/kiteconsole/model"
)

// ListClusters lists the organisation's clusters, every page (see PageFunc for onPage).
func (c *Client) ListClusters(ctx context.Context, onPage PageFunc[model.Cluster]) ([]model.Cluster, error) {
	return list(ctx, c, ScopeReadClusters, c.orgPath("clusters"), onPage)
}

// GetCluster gets one cluster.
func (c *Client) GetCluster(ctx context.Context, id string) (model.Cluster, error) {
	return callFor[model.Cluster](ctx, c, request{method: http.MethodGet, path: c.orgPath("clusters", id), scope: ScopeReadClusters})
}

// CreateCluster creates a cluster.
func (c *Client) CreateCluster(ctx context.Context, in model.ClusterCreate) (model.Cluster, error) {
	return callFor[model.Cluster](ctx, c, request{method: http.MethodPost, path: c.orgPath("clusters"), scope: ScopeWriteClusters, body: in})
}

// UpdateCluster changes the fields of a cluster that in sets.
func (c *Client) UpdateCluster(ctx context.Context, id string, in model.ClusterUpdate) (model.Cluster, error) {
	return callFor[model.Cluster](ctx, c, request{method: http.MethodPut, path: c.orgPath("clusters", id), scope: ScopeWriteClusters, body: in})
}

// DeleteCluster deletes a cluster along with its queues and tokens.
func (c *Client) DeleteCluster(ctx context.Context, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: c.orgPath("clusters", id), scope: ScopeWriteClusters}, nil)
}
