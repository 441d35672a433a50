package api_test

import (
	"context"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// Issue 17, 18: teams by name; the sandbox serves a few, the same ones
// in every run.
func TestListTeams(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx := context.Background()
	teams := must[[]model.Team](t)(env.Client.ListTeams(ctx))
	if len(teams) < 3 {
		t.Fatalf("teams = %+v", teams)
	}
	defaults := 0
	for _, team := range teams {
		if team.ID == "" || team.Name == "" || team.Slug == "" || len(team.ID) != 36 {
			t.Fatalf("team = %+v", team)
		}
		if team.Default {
			defaults++
		}
	}
	if defaults != 1 {
		t.Fatalf("%d default teams", defaults)
	}
	again := must[[]model.Team](t)(sandboxtest.Start(t, sandbox.Options{}, nil).Client.ListTeams(ctx))
	if again[1].ID != teams[1].ID {
		t.Fatalf("a team's ID changed between runs: %s, %s", teams[1].ID, again[1].ID)
	}
}

// Issue 17, 21: the token's scopes are known before a change is tried;
// the read-only token lacks every write scope.
func TestAccessTokenScopes(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx := context.Background()
	full := must[model.AccessToken](t)(env.Client.AccessToken(ctx))
	if !full.HasScope(api.ScopeWriteClusters) || !full.HasScope(api.ScopeReadTeams) || full.UUID == "" || full.User.Name == "" {
		t.Fatalf("the full token = %+v", full)
	}
	ro := env.ClientWith(t, api.Config{Token: env.Sandbox.ReadOnlyToken()})
	read := must[model.AccessToken](t)(ro.AccessToken(ctx))
	for _, s := range []string{api.ScopeWriteClusters, api.ScopeWritePipelines, api.ScopeWriteAgents, api.ScopeWriteBuilds} {
		if read.HasScope(s) {
			t.Errorf("the read-only token has %s", s)
		}
	}
	if !read.HasScope(api.ScopeReadClusters) || read.UUID == full.UUID {
		t.Fatalf("the read-only token = %+v", read)
	}
}
