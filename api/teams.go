package api

import (
	"context"
	"net/http"

	"github.com/kiteconsole/kiteconsole/model"
)

// ScopeReadTeams lets a token list the organisation's teams.
const ScopeReadTeams = "read_teams"

// ListTeams lists the organisation's teams, every page: the pipeline form
// offers them by name, where the pipelines API asks for their UUIDs.
func (c *Client) ListTeams(ctx context.Context) ([]model.Team, error) {
	return list[model.Team](ctx, c, ScopeReadTeams, c.orgPath("teams"), nil)
}

// AccessToken describes the token the client sends: its scopes say what
// the console may do before a change is tried (GET /v2/access-token; no
// scope is needed).
func (c *Client) AccessToken(ctx context.Context) (model.AccessToken, error) {
	return callFor[model.AccessToken](ctx, c, request{method: http.MethodGet, path: "/v2/access-token"})
}
