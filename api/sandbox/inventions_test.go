package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// What the sandbox used to invent, now as the docs say it (or as its
// README lists as the sandbox's choice).
func TestSandboxInventsLess(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	ctx := context.Background()
	tok := env.Sandbox.Token()

	// agents.md: "by the given agent name" and hostname: the whole of it.
	a := env.Sandbox.Agents()[0]
	var agents []model.Agent
	getJSON(t, env, "/v2/organizations/acme/agents?name="+a.Name[:len(a.Name)-2], http.StatusOK, &agents)
	if len(agents) != 0 {
		t.Fatalf("part of a name matched %d agents", len(agents))
	}
	getJSON(t, env, "/v2/organizations/acme/agents?name="+a.Name, http.StatusOK, &agents)
	if len(agents) != 1 || agents[0].ID != a.ID {
		t.Fatalf("the whole name matched %d agents", len(agents))
	}
	getJSON(t, env, "/v2/organizations/acme/agents?hostname="+a.Hostname[:4], http.StatusOK, &agents)
	if len(agents) != 0 {
		t.Fatalf("part of a hostname matched %d agents", len(agents))
	}

	// builds.md: a build is canceled if scheduled, running or failing; a
	// blocked one is not.
	b, _ := blockedStep(t, env.Client, clock)
	var refused struct{ Message string }
	if status := send(t, env, http.MethodPut, "/pipelines/"+b.Pipeline.Slug+"/builds/"+itoa(b.Number)+"/cancel", "", &refused); status != http.StatusUnprocessableEntity {
		t.Fatalf("cancelling a blocked build: %d %s", status, refused.Message)
	}

	// GET /v2/access-token has expires_at (null: a sandbox's token does
	// not expire).
	resp, body := get(t, env, "/v2/access-token", tok)
	var raw map[string]json.RawMessage
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &raw) != nil || string(raw["expires_at"]) != "null" {
		t.Fatalf("access token = %s", body)
	}

	// Teams honour user_id.
	b2 := must[model.Build](t)(env.Client.CreateBuild(ctx, "checkout", model.BuildCreate{Commit: "HEAD", Branch: "main"}))
	var teams []model.Team
	getJSON(t, env, "/v2/organizations/acme/teams?user_id="+b2.Creator.ID, http.StatusOK, &teams)
	if len(teams) != 2 || teams[0].Name != "Everyone" || teams[1].Name != "Platform" {
		t.Fatalf("the operator's teams: %+v", teams)
	}
	getJSON(t, env, "/v2/organizations/acme/teams?user_id=00000000-0000-4000-8000-000000000000", http.StatusOK, &teams)
	if len(teams) != 0 {
		t.Fatalf("an unknown user's teams: %+v", teams)
	}

	// /rate_limit reports the GraphQL window the sandbox keeps (its
	// /graphql endpoint's), as it reports REST's: with limits off here,
	// neither claims to be enforced. With limits on, see
	// TestRateLimitsEndpointShowsTheGraphQLWindow.
	var limits struct {
		Scopes map[string]struct {
			Enforced bool `json:"enforced"`
			Limit    int  `json:"limit"`
		} `json:"scopes"`
	}
	getJSON(t, env, "/v2/organizations/acme/rate_limit", http.StatusOK, &limits)
	rest, okREST := limits.Scopes["rest"]
	gql, okGQL := limits.Scopes["graphql"]
	if !okREST || !okGQL || rest.Enforced || gql.Enforced || gql.Limit != 0 {
		t.Fatalf("scopes with limits off: %+v", limits.Scopes)
	}

	// "List all builds", GET /v2/builds.
	var all []model.Build
	getJSON(t, env, "/v2/builds?per_page=5", http.StatusOK, &all)
	if len(all) != 5 || all[0].Pipeline == nil {
		t.Fatalf("/v2/builds: %d builds", len(all))
	}
	clock.Add(time.Second)
}
