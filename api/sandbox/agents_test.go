package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	buildkite "github.com/buildkite/go-buildkite/v4"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

func TestOfficialClientAgents(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()

	list := ok[[]buildkite.Agent](t)(bk.Agents.List(ctx, org, &buildkite.AgentListOptions{ListOptions: buildkite.ListOptions{PerPage: 100}}))
	if len(list) == 0 {
		t.Fatal("no agents")
	}
	a := list[0]
	if a.ID == "" || a.ConnectedState != "connected" || a.Hostname == "" || a.Version == "" || a.CreatedAt == nil || a.Creator == nil || len(a.Metadata) == 0 {
		t.Fatalf("agent = %+v", a)
	}
	byName := ok[[]buildkite.Agent](t)(bk.Agents.List(ctx, org, &buildkite.AgentListOptions{Name: a.Name}))
	if len(byName) == 0 || byName[0].ID != a.ID {
		t.Fatalf("by name = %+v", byName)
	}
	if got := ok[buildkite.Agent](t)(bk.Agents.Get(ctx, org, a.ID)); got.Name != a.Name {
		t.Fatalf("get = %+v", got)
	}

	if _, err := bk.Agents.Pause(ctx, org, a.ID, &buildkite.AgentPauseOptions{Note: "cert rotation", TimeoutInMinutes: 30}); err != nil {
		t.Fatal(err)
	}
	got := ok[buildkite.Agent](t)(bk.Agents.Get(ctx, org, a.ID))
	if got.Paused == nil || !*got.Paused || got.PausedNote == nil || *got.PausedNote != "cert rotation" ||
		got.PausedTimeoutInMinutes == nil || *got.PausedTimeoutInMinutes != 30 || got.PausedBy == nil {
		t.Fatalf("paused = %+v", got)
	}
	_, err := bk.Agents.Pause(ctx, org, a.ID, nil)
	wantStatus(t, err, http.StatusUnprocessableEntity, "Agent is already paused")
	if _, err := bk.Agents.Resume(ctx, org, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = bk.Agents.Resume(ctx, org, a.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, "Agent is not paused")

	if _, err := bk.Agents.Stop(ctx, org, a.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = bk.Agents.Stop(ctx, org, a.ID, true)
	wantStatus(t, err, http.StatusBadRequest, "Can only stop connected agents")
	_, err = bk.Agents.Pause(ctx, org, a.ID, nil)
	wantStatus(t, err, http.StatusUnprocessableEntity, "Only connected agents may be paused")
	_, _, err = bk.Agents.Get(ctx, org, "no-such-agent")
	wantStatus(t, err, http.StatusNotFound, "No agent found")
}

func TestAgentsPaginateAndFilterByQueue(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	_, body := get(t, env, "/v2/organizations/acme/agents?per_page=100", env.Sandbox.Token())
	var all []model.Agent
	if err := json.Unmarshal(body, &all); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, env, "/v2/organizations/acme/agents?per_page=7&page=2", env.Sandbox.Token())
	var page []model.Agent
	_ = json.Unmarshal(body, &page)
	if len(page) != 7 || page[0].ID != all[7].ID || resp.Header.Get("Link") == "" {
		t.Fatalf("page 2 of 7: %d agents, Link %q", len(page), resp.Header.Get("Link"))
	}
	// Every agent's web URL names its queue; the filter keeps exactly
	// the agents whose URL names the queue asked for.
	want := map[string]int{}
	for _, a := range all {
		want[queueOf(a.WebURL)]++
	}
	for q, n := range want {
		_, body := get(t, env, "/v2/organizations/acme/agents?per_page=100&cluster_queue_id="+q, env.Sandbox.Token())
		var got []model.Agent
		_ = json.Unmarshal(body, &got)
		if len(got) != n {
			t.Fatalf("queue %s: %d agents, want %d", q, len(got), n)
		}
	}
}

// queueOf reads the queue id out of an agent's web URL
// (.../clusters/{id}/queues/{id}/agents/{id}).
func queueOf(webURL string) string {
	parts := strings.Split(webURL, "/")
	for i := range parts {
		if parts[i] == "queues" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return ""
}
