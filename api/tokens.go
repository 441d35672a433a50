package api

import (
	"context"
	"net/http"

	"github.com/kiteconsole/kiteconsole/model"
)

// ListTokens lists a cluster's agent tokens, every page (see PageFunc for onPage). Their values are
// never listed.
func (c *Client) ListTokens(ctx context.Context, clusterID string, onPage PageFunc[model.Token]) ([]model.Token, error) {
	return list(ctx, c, ScopeReadClusters, c.orgPath("clusters", clusterID, "tokens"), onPage)
}

// GetToken gets one agent token (without its value).
func (c *Client) GetToken(ctx context.Context, clusterID, id string) (model.Token, error) {
	var out model.Token
	err := c.call(ctx, request{method: http.MethodGet, path: c.orgPath("clusters", clusterID, "tokens", id), scope: ScopeReadClusters}, &out)
	return out, err
}

// CreateToken creates an agent token. The reply is the only place its
// value (Token.Token) ever appears.
func (c *Client) CreateToken(ctx context.Context, clusterID string, in model.TokenCreate) (model.Token, error) {
	var out model.Token
	err := c.call(ctx, request{method: http.MethodPost, path: c.orgPath("clusters", clusterID, "tokens"), scope: ScopeWriteClusters, body: in}, &out)
	return out, err
}

// UpdateToken changes the fields of a token that in sets.
func (c *Client) UpdateToken(ctx context.Context, clusterID, id string, in model.TokenUpdate) (model.Token, error) {
	var out model.Token
	err := c.call(ctx, request{method: http.MethodPut, path: c.orgPath("clusters", clusterID, "tokens", id), scope: ScopeWriteClusters, body: in}, &out)
	return out, err
}

// RevokeToken revokes an agent token: agents using it can no longer
// connect.
func (c *Client) RevokeToken(ctx context.Context, clusterID, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: c.orgPath("clusters", clusterID, "tokens", id), scope: ScopeWriteClusters}, nil)
}
