package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

// ListTokens lists a cluster's agent tokens, every page (see PageFunc for onPage). Their values are
// never listed.
func (c *Client) ListTokens(ctx context.Context, clusterID string, onPage PageFunc[model.Token]) ([]model.Token, error) {
	return list(ctx, c, ScopeReadClusters, c.orgPath("clusters", clusterID, "tokens"), onPage)
}

// GetToken gets one agent token (without its value).
func (c *Client) GetToken(ctx context.Context, clusterID, id string) (model.Token, error) {
	return callFor[model.Token](ctx, c, request{method: http.MethodGet, path: c.orgPath("clusters", clusterID, "tokens", id), scope: ScopeReadClusters})
}

// CreateToken creates an agent token. The reply is the only place its
// value (Token.Token) ever appears.
func (c *Client) CreateToken(ctx context.Context, clusterID string, in model.TokenCreate) (model.Token, error) {
	return callFor[model.Token](ctx, c, request{method: http.MethodPost, path: c.orgPath("clusters", clusterID, "tokens"), scope: ScopeWriteClusters, body: in})
}

// ErrTokenUnchangeable is an update of what the API does not change on a
// token: its expiry and allowed addresses are fixed when it is created.
var ErrTokenUnchangeable = errors.New("the API changes only a token's description; create a new token for another expiry or other addresses")

// UpdateToken changes a token's description, the one property the update
// endpoint documents. An update that sets anything else is refused before
// anything is sent (ErrTokenUnchangeable), so no screen can report a
// change the API would not make.
func (c *Client) UpdateToken(ctx context.Context, clusterID, id string, in model.TokenUpdate) (model.Token, error) {
	if unsupported := in.UnsupportedChanges(); len(unsupported) > 0 {
		return model.Token{}, fmt.Errorf("%w (asked to change the %s)", ErrTokenUnchangeable, strings.Join(unsupported, " and "))
	}
	return callFor[model.Token](ctx, c, request{method: http.MethodPut, path: c.orgPath("clusters", clusterID, "tokens", id), scope: ScopeWriteClusters, body: in})
}

// RevokeToken revokes an agent token: agents using it can no longer
// connect.
func (c *Client) RevokeToken(ctx context.Context, clusterID, id string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: c.orgPath("clusters", clusterID, "tokens", id), scope: ScopeWriteClusters}, nil)
}
