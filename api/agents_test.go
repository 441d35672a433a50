package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

func TestListAgentsFilters(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx := context.Background()
	all := must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{}, nil))
	if len(all) < 20 {
		t.Fatalf("the demo organisation has %d agents, want dozens", len(all))
	}
	for _, a := range all {
		if a.ConnectionState != model.AgentConnected || a.ID == "" || a.URL == "" || a.Queue == "" || a.ConnectedAt == nil {
			t.Fatalf("agent = %+v", a)
		}
		if key, ok := a.Tag("queue"); !ok || key != a.Queue {
			t.Fatalf("agent %s has meta_data %v, want queue=%s", a.Name, a.MetaData, a.Queue)
		}
	}

	// Every agent is on exactly one queue: filtering by each queue in
	// turn partitions the list, and some queues have none.
	clusters := must[[]model.Cluster](t)(env.Client.ListClusters(ctx, nil))
	seen, empty := 0, 0
	for _, c := range clusters {
		for _, q := range must[[]model.Queue](t)(env.Client.ListQueues(ctx, c.ID, nil)) {
			on := must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{ClusterQueueID: q.ID}, nil))
			for _, a := range on {
				if a.Queue != q.Key || !strings.Contains(a.WebURL, q.ID) {
					t.Fatalf("agent %s (queue %s, %s) listed under queue %s", a.Name, a.Queue, a.WebURL, q.Key)
				}
			}
			if len(on) == 0 {
				empty++
			}
			seen += len(on)
		}
	}
	if seen != len(all) {
		t.Fatalf("queues hold %d agents, the organisation lists %d", seen, len(all))
	}
	if empty == 0 {
		t.Fatal("every queue has agents; the seed should leave some without")
	}

	one := all[len(all)/2]
	for _, f := range []model.AgentListFilter{{Name: one.Name}, {Hostname: one.Hostname}} {
		got := must[[]model.Agent](t)(env.Client.ListAgents(ctx, f, nil))
		if !slices.ContainsFunc(got, func(a model.Agent) bool { return a.ID == one.ID }) || len(got) == len(all) {
			t.Fatalf("filter %+v: %d agents, want %s among a few", f, len(got), one.Name)
		}
	}
	byVersion := must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{Version: one.Version}, nil))
	for _, a := range byVersion {
		if a.Version != one.Version {
			t.Fatalf("version filter %s returned %s", one.Version, a.Version)
		}
	}
	if got := must[model.Agent](t)(env.Client.GetAgent(ctx, one.ID)); got.ID != one.ID || got.Hostname != one.Hostname {
		t.Fatalf("get = %+v", got)
	}
	wantAPIError(t, must2(env.Client.GetAgent(ctx, "00000000-0000-4000-8000-000000000000")), http.StatusNotFound, "No agent found")
}

func must2[T any](_ T, err error) error { return err }

// idleAgent is a connected, unpaused agent of the sandbox.
func idleAgent(t *testing.T, env *sandboxtest.Env, skip int) model.Agent {
	t.Helper()
	for _, a := range env.Sandbox.Agents() {
		if a.ConnectionState == model.AgentConnected && !a.Paused && !a.Busy() {
			if skip == 0 {
				return a
			}
			skip--
		}
	}
	t.Fatal("no idle agent")
	return model.Agent{}
}

func TestPauseAndResumeAgent(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now}, nil)
	var events []api.ChangeEvent
	client := env.ClientWith(t, api.Config{OnChange: func(_ context.Context, ev api.ChangeEvent) { events = append(events, ev) }})
	ctx := context.Background()
	a := idleAgent(t, env, 0)

	if err := client.PauseAgent(ctx, a.ID, model.AgentPause{Note: "INC-7 disk full", TimeoutInMinutes: 90}); err != nil {
		t.Fatal(err)
	}
	got := must[model.Agent](t)(client.GetAgent(ctx, a.ID))
	if !got.Paused || model.Value(got.PausedNote) != "INC-7 disk full" || model.Value(got.PausedTimeoutInMinutes) != 90 ||
		got.PausedBy == nil || got.PausedAt == nil || !got.PausedAt.Equal(sandboxtest.Now) {
		t.Fatalf("paused agent = %+v", got)
	}
	wantAPIError(t, client.PauseAgent(ctx, a.ID, model.AgentPause{}), http.StatusUnprocessableEntity, "Agent is already paused")
	if len(events) != 2 || events[0].Method != http.MethodPut || !strings.HasSuffix(events[0].Path, "/agents/"+a.ID+"/pause") ||
		!strings.Contains(string(events[0].Body), `"timeout_in_minutes":90`) || events[0].Err != nil || events[1].Err == nil {
		t.Fatalf("change events = %+v", events)
	}

	if err := client.ResumeAgent(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := must[model.Agent](t)(client.GetAgent(ctx, a.ID)); got.Paused || got.PausedNote != nil || got.PausedTimeoutInMinutes != nil {
		t.Fatalf("resumed agent = %+v", got)
	}
	wantAPIError(t, client.ResumeAgent(ctx, a.ID), http.StatusUnprocessableEntity, "Agent is not paused")

	// A pause with a timeout ends by itself when the timeout is up.
	must[struct{}](t)(struct{}{}, client.PauseAgent(ctx, a.ID, model.AgentPause{TimeoutInMinutes: 5}))
	clock.Add(4 * time.Minute)
	if got := must[model.Agent](t)(client.GetAgent(ctx, a.ID)); !got.Paused {
		t.Fatal("the pause ended before its timeout")
	}
	clock.Add(time.Minute)
	if got := must[model.Agent](t)(client.GetAgent(ctx, a.ID)); got.Paused {
		t.Fatal("the pause outlived its timeout")
	}

	// Timeouts out of 1 minute .. 7 days are refused before anything is sent.
	env.Sandbox.ResetRequests()
	for _, minutes := range []int{-1, model.MaxAgentPauseMinutes + 1} {
		if err := client.PauseAgent(ctx, a.ID, model.AgentPause{TimeoutInMinutes: minutes}); err == nil {
			t.Fatalf("a pause of %d minutes was accepted", minutes)
		}
	}
	if w := env.Writes(); len(w) != 0 {
		t.Fatalf("refused pauses reached the API: %+v", w)
	}
	wantAPIError(t, client.PauseAgent(ctx, "00000000-0000-4000-8000-000000000000", model.AgentPause{}), http.StatusNotFound, "No agent found")
	wantAPIError(t, client.ResumeAgent(ctx, "00000000-0000-4000-8000-000000000000"), http.StatusNotFound, "No agent found")
}

func TestStopAgent(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx := context.Background()
	a := idleAgent(t, env, 1)
	if err := env.Client.StopAgent(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	w := env.Writes()
	if len(w) != 1 || w[0].Method != http.MethodPut || w[0].Status != http.StatusNoContent {
		t.Fatalf("writes = %+v", w)
	}
	got := must[model.Agent](t)(env.Client.GetAgent(ctx, a.ID))
	if got.ConnectionState != model.AgentStopped || got.StoppedAt == nil || got.DisconnectedAt == nil {
		t.Fatalf("stopped agent = %+v", got)
	}
	listed := must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{}, nil))
	if slices.ContainsFunc(listed, func(x model.Agent) bool { return x.ID == a.ID }) {
		t.Fatal("a stopped agent is still listed")
	}
	wantAPIError(t, env.Client.StopAgent(ctx, a.ID, true), http.StatusBadRequest, "Can only stop connected agents")
	wantAPIError(t, env.Client.PauseAgent(ctx, a.ID, model.AgentPause{}), http.StatusUnprocessableEntity, "Only connected agents may be paused")
}

func TestAgentChangesRefusedReadOnly(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	var refused []string
	ro := env.ClientWith(t, api.Config{ReadOnly: true, OnChange: func(_ context.Context, ev api.ChangeEvent) {
		if ev.Refused {
			refused = append(refused, ev.Path)
		}
	}})
	ctx := context.Background()
	a := idleAgent(t, env, 0)
	for _, err := range []error{ro.PauseAgent(ctx, a.ID, model.AgentPause{}), ro.ResumeAgent(ctx, a.ID), ro.StopAgent(ctx, a.ID, true)} {
		if err != api.ErrReadOnly {
			t.Fatalf("err = %v, want ErrReadOnly", err)
		}
	}
	if len(refused) != 3 || len(env.Writes()) != 0 {
		t.Fatalf("refused %v, writes %+v", refused, env.Writes())
	}
	// The read-only token may read agents but not change them.
	tok := env.ClientWith(t, api.Config{Token: env.Sandbox.ReadOnlyToken()})
	must[[]model.Agent](t)(tok.ListAgents(ctx, model.AgentListFilter{}, nil))
	wantAPIError(t, tok.PauseAgent(ctx, a.ID, model.AgentPause{}), http.StatusForbidden, "")
}

// A pause without a timeout is Buildkite's default of five minutes: the
// client says so on the wire, the agent's paused-until time follows from
// it, and the sandbox resumes the agent when it is up, as Buildkite does.
// A raw pause that names no timeout (as the official client sends one
// without options) ends the same way.
func TestAPauseWithoutATimeoutEndsAfterBuildkitesDefault(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now}, nil)
	var events []api.ChangeEvent
	client := env.ClientWith(t, api.Config{OnChange: func(_ context.Context, ev api.ChangeEvent) { events = append(events, ev) }})
	ctx := context.Background()
	a := idleAgent(t, env, 0)

	must[struct{}](t)(struct{}{}, client.PauseAgent(ctx, a.ID, model.AgentPause{Note: "INC-9"}))
	if len(events) != 1 || !strings.Contains(string(events[0].Body), `"timeout_in_minutes":5`) {
		t.Fatalf("the pause sent %+v; want the default timeout named", events)
	}
	got := must[model.Agent](t)(client.GetAgent(ctx, a.ID))
	until, ok := got.PausedUntil()
	if !ok || !until.Equal(sandboxtest.Now.Add(5*time.Minute)) || model.Value(got.PausedTimeoutInMinutes) != 5 {
		t.Fatalf("paused until %v (%v), timeout %v; want five minutes from the pause", until, ok, got.PausedTimeoutInMinutes)
	}
	clock.Add(4 * time.Minute)
	if got := must[model.Agent](t)(client.GetAgent(ctx, a.ID)); !got.Paused {
		t.Fatal("the default pause ended before five minutes")
	}
	clock.Add(time.Minute)
	if got := must[model.Agent](t)(client.GetAgent(ctx, a.ID)); got.Paused {
		t.Fatal("a pause without a timeout outlived Buildkite's default of five minutes")
	}

	req, _ := http.NewRequest(http.MethodPut, env.Server.URL+"/v2/organizations/acme/agents/"+a.ID+"/pause", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+env.Sandbox.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("raw pause: %v, %v", resp, err)
	}
	resp.Body.Close()
	clock.Add(5 * time.Minute)
	if got := must[model.Agent](t)(client.GetAgent(ctx, a.ID)); got.Paused {
		t.Fatal("a pause whose body names no timeout was kept for ever")
	}
}

// A graceful stop of a busy agent leaves it stopping, and the client says
// so (StopAgentAndGet), rather than "stopped".
func TestAGracefulStopReportsStopping(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now}, nil)
	ctx := context.Background()
	var busy model.Agent
	for i := 0; i < 60 && busy.ID == ""; i++ {
		for _, a := range env.Sandbox.Agents() {
			if a.Busy() && a.ConnectionState == model.AgentConnected {
				busy = a
				break
			}
		}
		clock.Add(10 * time.Second)
	}
	if busy.ID == "" {
		t.Fatal("no agent took a job")
	}
	got := must[model.Agent](t)(env.Client.StopAgentAndGet(ctx, busy.ID, false))
	if got.ConnectionState != model.AgentStopping {
		t.Fatalf("a graceful stop of a busy agent reports %s", got.ConnectionState)
	}
}

// The queue's agents are checked against the queue asked for: a server
// that ignores cluster_queue_id cannot hand over another queue's agents
// (their web_url names their queue).
func TestQueueAgentsAreCheckedAgainstTheQueue(t *testing.T) {
	agent := func(id, queue string) string {
		return `{"id":"` + id + `","name":"` + id + `","connection_state":"connected","web_url":"https://buildkite.com/organizations/acme/clusters/c1/queues/` + queue + `/agents/` + id + `"}`
	}
	c, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		// The filter is ignored: every agent of the organisation.
		_, _ = w.Write([]byte("[" + agent("a1", "q1") + "," + agent("a2", "q2") + "," + agent("a3", "q1") + "]"))
	})
	got, err := c.ListQueueAgents(context.Background(), "q1")
	skipped, partial := api.Partial(err)
	if !partial || skipped.Count != 1 || !strings.Contains(skipped.Error(), "a2") || len(got) != 2 || got[0].ID != "a1" || got[1].ID != "a3" {
		t.Fatalf("%d agents, %v", len(got), err)
	}
}
