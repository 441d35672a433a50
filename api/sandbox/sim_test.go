package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// startLive serves a demo sandbox whose clock the test moves.
func startLive(t *testing.T, seed uint64) (*sandboxtest.Env, *sandboxtest.Clock) {
	t.Helper()
	clock := sandboxtest.NewClock()
	return sandboxtest.Start(t, sandbox.Options{Now: clock.Now, Seed: seed}, nil), clock
}

// getJSON GETs path with the full token and decodes the reply into out,
// failing the test on any status but want.
func getJSON(t *testing.T, env *sandboxtest.Env, path string, want int, out any) *http.Response {
	t.Helper()
	resp, body := get(t, env, path, env.Sandbox.Token())
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d %s, want %d", path, resp.StatusCode, body, want)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp
}

// snapshot is what the organisation's live state looks like through the
// API: every agent, and the newest builds with their jobs, as sent (not
// decoded and encoded again, which cost more than the rest of the test
// under the race detector, and kept only what the model reads).
func snapshot(t *testing.T, env *sandboxtest.Env) string {
	t.Helper()
	var out strings.Builder
	for _, path := range []string{"/v2/organizations/acme/agents?per_page=100", "/v2/organizations/acme/builds?per_page=100"} {
		resp, body := get(t, env, path, env.Sandbox.Token())
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
		}
		out.Write(body)
	}
	return strings.ReplaceAll(out.String(), env.Server.URL, "")
}

func TestSimulationIsDeterministic(t *testing.T) {
	t.Parallel()
	// One sandbox is asked every step, the other only at the end: the
	// same seed and clock give the same organisation however requests fall.
	often, oftenClock := startLive(t, 7)
	rarely, rarelyClock := startLive(t, 7)
	other, otherClock := startLive(t, 8)
	for i := 0; i < 90; i++ {
		oftenClock.Add(10 * time.Second)
		rarelyClock.Add(10 * time.Second)
		otherClock.Add(10 * time.Second)
		get(t, often, "/v2/organizations/acme/agents", often.Sandbox.Token())
	}
	a, b := snapshot(t, often), snapshot(t, rarely)
	if a != b {
		t.Fatal("the same seed and clock gave two organisations")
	}
	if !strings.Contains(a, `"state":"running"`) || !strings.Contains(a, `"state":"passed"`) {
		t.Fatal("after 15 minutes no build is running or has passed")
	}
	if snapshot(t, other) == a {
		t.Fatal("another seed gave the same organisation")
	}
}

// busiestQueue is the self-hosted queue of the demo with the most agents.
func busiestQueue(t *testing.T, env *sandboxtest.Env) (clusterID string, q model.Queue) {
	t.Helper()
	ctx := context.Background()
	most := -1
	for _, c := range must[[]model.Cluster](t)(env.Client.ListClusters(ctx, nil)) {
		for _, x := range must[[]model.Queue](t)(env.Client.ListQueues(ctx, c.ID, nil)) {
			if x.Hosted || x.DispatchPaused {
				continue
			}
			n := len(must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{ClusterQueueID: x.ID}, nil)))
			if n > most {
				most, clusterID, q = n, c.ID, x
			}
		}
	}
	return clusterID, q
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// queueLoad counts a queue's waiting and running jobs as the console
// does: from the organisation's active builds.
func queueLoad(t *testing.T, c *api.Client, queueID string) (waiting, running int) {
	t.Helper()
	builds := must[[]model.Build](t)(c.ListBuilds(context.Background(), model.BuildFilter{States: model.BuildActiveStates}, nil))
	for _, b := range builds {
		for _, j := range b.Jobs {
			if model.Value(j.ClusterQueueID) != queueID {
				continue
			}
			switch {
			case model.JobWaitingForAgent(j.State):
				waiting++
			case model.JobOnAgent(j.State):
				running++
			}
		}
	}
	return waiting, running
}

func TestPausingAQueueHoldsItsJobsAndResumingDrainsThem(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	ctx := context.Background()
	clusterID, q := busiestQueue(t, env)
	clock.Add(10 * time.Minute) // let work build up

	must[model.Queue](t)(env.Client.PauseQueue(ctx, clusterID, q.ID, "INC-1"))
	waitingAtPause, _ := queueLoad(t, env.Client, q.ID)
	if sw, _ := env.Sandbox.QueueJobs(q.ID); sw != waitingAtPause {
		t.Fatalf("at the pause the sandbox has %d waiting; the API said %d", sw, waitingAtPause)
	}
	peak := waitingAtPause
	// Every step is read from the sandbox itself, and the API's account is
	// compared with it at the end: listing the organisation's builds at
	// each of twenty steps cost most of the package's time under the race
	// detector.
	for i := 0; i < 20; i++ { // ten minutes, paused
		clock.Add(30 * time.Second)
		waiting, _ := env.Sandbox.QueueJobs(q.ID)
		if waiting < peak {
			t.Fatalf("waiting fell from %d to %d while the queue was paused", peak, waiting)
		}
		peak = waiting
	}
	waiting, running := queueLoad(t, env.Client, q.ID)
	if waiting <= waitingAtPause || running != 0 {
		t.Fatalf("ten minutes paused: %d waiting (from %d), %d running; want more waiting and none running", waiting, waitingAtPause, running)
	}
	if sw, sr := env.Sandbox.QueueJobs(q.ID); sw != waiting || sr != running {
		t.Fatalf("the sandbox has %d waiting, %d running; the API said %d, %d", sw, sr, waiting, running)
	}
	loads := must[map[string]model.QueueLoad](t)(env.Client.QueueLoads(ctx))
	if l := loads[q.ID]; l.Waiting != waiting || l.Running != 0 || l.OldestWaiting.IsZero() {
		t.Fatalf("QueueLoads = %+v; want %d waiting", l, waiting)
	}

	must[model.Queue](t)(env.Client.ResumeQueue(ctx, clusterID, q.ID))
	clock.Add(10 * time.Second)
	after, running := queueLoad(t, env.Client, q.ID)
	if after >= waiting || running == 0 {
		t.Fatalf("a step after resuming: %d waiting (from %d), %d running", after, waiting, running)
	}
}

func TestPausedAgentTakesNoJobs(t *testing.T) {
	env, clock := startLive(t, 0)
	ctx := context.Background()
	_, q := busiestQueue(t, env)
	agents := must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{ClusterQueueID: q.ID}, nil))
	for _, a := range agents {
		if !a.Paused {
			if err := env.Client.PauseAgent(ctx, a.ID, model.AgentPause{Note: "drain", TimeoutInMinutes: 60}); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock.Add(15 * time.Minute) // longer than any job runs
	for _, a := range must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{ClusterQueueID: q.ID}, nil)) {
		if a.Busy() {
			t.Fatalf("paused agent %s took job %s", a.Name, a.Job.ID)
		}
	}
	if waiting, running := env.Sandbox.QueueJobs(q.ID); waiting == 0 || running != 0 {
		t.Fatalf("every agent paused: %d waiting, %d running", waiting, running)
	}
}

// busyAgent moves the clock until some agent runs a job, and returns it.
func busyAgent(t *testing.T, env *sandboxtest.Env, clock *sandboxtest.Clock, skip map[string]bool) model.Agent {
	t.Helper()
	for i := 0; i < 60; i++ {
		for _, a := range env.Sandbox.Agents() {
			if a.Busy() && a.ConnectionState == model.AgentConnected && !skip[a.ID] {
				return a
			}
		}
		clock.Add(10 * time.Second)
	}
	t.Fatal("no agent took a job in ten minutes")
	return model.Agent{}
}

func TestStoppingABusyAgent(t *testing.T) {
	env, clock := startLive(t, 0)
	ctx := context.Background()

	// Without force the agent finishes its job, then stops.
	a := busyAgent(t, env, clock, nil)
	if err := env.Client.StopAgent(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	got := must[model.Agent](t)(env.Client.GetAgent(ctx, a.ID))
	if got.ConnectionState != model.AgentStopping || !got.Busy() {
		t.Fatalf("stopping agent = %s, job %v", got.ConnectionState, got.Job)
	}
	listed := must[[]model.Agent](t)(env.Client.ListAgents(ctx, model.AgentListFilter{Name: a.Name}, nil))
	if len(listed) == 0 {
		t.Fatal("a stopping agent is not listed")
	}
	clock.Add(10 * time.Minute)
	if got := must[model.Agent](t)(env.Client.GetAgent(ctx, a.ID)); got.ConnectionState != model.AgentStopped || got.Busy() {
		t.Fatalf("after its job: %s, job %v", got.ConnectionState, got.Job)
	}

	// With force its job, and the job's build, are cancelled.
	b := busyAgent(t, env, clock, map[string]bool{a.ID: true})
	job := b.Job
	if err := env.Client.StopAgent(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := must[model.Agent](t)(env.Client.GetAgent(ctx, b.ID)); got.ConnectionState != model.AgentStopped {
		t.Fatalf("force-stopped agent is %s", got.ConnectionState)
	}
	var j model.Job
	getJSON(t, env, "/v2/organizations/acme/jobs/"+job.ID, http.StatusOK, &j)
	var build model.Build
	getJSON(t, env, strings.TrimPrefix(j.BuildURL, env.Server.URL), http.StatusOK, &build)
	if j.State != model.JobCanceled || build.State != model.BuildCanceled || build.FinishedAt == nil {
		t.Fatalf("job %s, build %s: want both canceled", j.State, build.State)
	}
}

func TestHostedAgentsComeAndGo(t *testing.T) {
	env, clock := startLive(t, 0)
	hosted := map[string]bool{}
	for _, c := range must[[]model.Cluster](t)(env.Client.ListClusters(context.Background(), nil)) {
		for _, q := range must[[]model.Queue](t)(env.Client.ListQueues(context.Background(), c.ID, nil)) {
			if q.Hosted {
				hosted[q.ID] = true
			}
		}
	}
	onHosted := func() map[string]bool {
		ids := map[string]bool{}
		var agents []model.Agent
		getJSON(t, env, "/v2/organizations/acme/agents?per_page=100", http.StatusOK, &agents)
		for _, a := range agents {
			if hosted[queueOf(a.WebURL)] {
				ids[a.ID] = true
			}
		}
		return ids
	}
	before := onHosted()
	clock.Add(time.Hour)
	after := onHosted()
	came, went := 0, 0
	for id := range after {
		if !before[id] {
			came++
		}
	}
	for id := range before {
		if !after[id] {
			went++
		}
	}
	if came == 0 || went == 0 {
		t.Fatalf("in an hour %d hosted agents came and %d went; want some of each", came, went)
	}
}

func TestOrganisationAndPipelineBuilds(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	clock.Add(20 * time.Minute)
	var all []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds?per_page=100", http.StatusOK, &all)
	if len(all) < 20 {
		t.Fatalf("%d builds after 50 minutes", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt.Time) {
			t.Fatal("builds are not newest first")
		}
	}
	b := all[len(all)/2]
	if b.Pipeline == nil || len(b.Jobs) == 0 || b.URL == "" || b.Creator == nil {
		t.Fatalf("build = %+v", b)
	}
	for _, j := range b.Jobs {
		if j.Type == model.JobScript && (j.ClusterQueueID == nil || model.Value(j.ClusterID) != model.Value(b.Pipeline.ClusterID)) {
			t.Fatalf("job %s has queue %v in cluster %v; the pipeline is in %v", model.Value(j.Label), j.ClusterQueueID, j.ClusterID, b.Pipeline.ClusterID)
		}
	}

	var active []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds?state[]=scheduled&state[]=running&state[]=failing&per_page=100", http.StatusOK, &active)
	if len(active) == 0 {
		t.Fatal("no scheduled or running builds")
	}
	for _, x := range active {
		if x.State != model.BuildScheduled && x.State != model.BuildRunning && x.State != model.BuildFailing {
			t.Fatalf("state filter let through %s", x.State)
		}
	}
	from := b.CreatedAt.Time.Format(time.RFC3339)
	var recent []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds?per_page=100&exclude_jobs=true&created_from="+from, http.StatusOK, &recent)
	for _, x := range recent {
		if x.CreatedAt.Before(b.CreatedAt.Time) || len(x.Jobs) != 0 {
			t.Fatalf("created_from %s with exclude_jobs let through %s with %d jobs", from, x.CreatedAt, len(x.Jobs))
		}
	}
	if len(recent) == 0 || len(recent) >= len(all) {
		t.Fatalf("created_from kept %d of %d", len(recent), len(all))
	}

	slug := b.Pipeline.Slug
	base := "/v2/organizations/acme/pipelines/" + slug + "/builds"
	var ofPipeline []model.Build
	getJSON(t, env, base+"?branch="+b.Branch, http.StatusOK, &ofPipeline)
	found := false
	for _, x := range ofPipeline {
		if x.Branch != b.Branch || x.Pipeline.Slug != slug {
			t.Fatalf("branch filter let through %s of %s", x.Branch, x.Pipeline.Slug)
		}
		found = found || x.ID == b.ID
	}
	if !found {
		t.Fatal("the build is not among its pipeline's builds on its branch")
	}
	var byCommit []model.Build
	getJSON(t, env, base+"?commit="+b.Commit, http.StatusOK, &byCommit)
	if len(byCommit) != 1 || byCommit[0].ID != b.ID {
		t.Fatalf("commit filter: %d builds", len(byCommit))
	}
	var before []model.Build
	getJSON(t, env, base+"?created_to="+from, http.StatusOK, &before)
	for _, x := range before {
		if !x.CreatedAt.Before(b.CreatedAt.Time) {
			t.Fatalf("created_to %s let through %s", from, x.CreatedAt)
		}
	}

	var one model.Build
	getJSON(t, env, fmt.Sprintf("%s/%d", base, b.Number), http.StatusOK, &one)
	if one.ID != b.ID || one.JobStateCounts == nil || one.JobStateCounts.Total != len(one.Jobs) {
		t.Fatalf("get build = %+v", one.JobStateCounts)
	}
	var msg map[string]string
	getJSON(t, env, base+"/99999", http.StatusNotFound, &msg)
	if msg["message"] != "No build found" {
		t.Fatalf("404 = %v", msg)
	}

	// Listing deeper than ten pages of a hundred needs a filter.
	getJSON(t, env, "/v2/organizations/acme/builds?page=11&per_page=100", http.StatusBadRequest, &msg)
	if !strings.HasPrefix(msg["message"], "Listing builds this deep is not supported") {
		t.Fatalf("deep list = %v", msg)
	}
	getJSON(t, env, "/v2/organizations/acme/builds?page=11&per_page=100&branch=main", http.StatusOK, nil)
	getJSON(t, env, base+"?page=10&per_page=100", http.StatusOK, nil)
}

func TestJobsCursorPagination(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	clock.Add(20 * time.Minute)
	var builds []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds?per_page=100", http.StatusOK, &builds)
	var b model.Build
	for _, x := range builds {
		if len(x.Jobs) >= 3 {
			b = x
			break
		}
	}
	if b.ID == "" {
		t.Fatal("no build with three jobs")
	}
	base := strings.TrimPrefix(b.URL, env.Server.URL) + "/jobs"
	type page struct {
		Items []model.Job       `json:"items"`
		Links map[string]string `json:"links"`
	}
	var ids []string
	next := base + "?per_page=1"
	for next != "" {
		var p page
		getJSON(t, env, next, http.StatusOK, &p)
		if len(p.Items) != 1 || p.Links["self"] == "" {
			t.Fatalf("page %s = %+v", next, p)
		}
		ids = append(ids, p.Items[0].ID)
		next = strings.TrimPrefix(p.Links["next"], env.Server.URL)
		if prev := p.Links["prev"]; len(ids) > 1 {
			var back page
			getJSON(t, env, strings.TrimPrefix(prev, env.Server.URL), http.StatusOK, &back)
			if len(back.Items) != 1 || back.Items[0].ID != ids[len(ids)-2] {
				t.Fatalf("prev of %s does not lead back", p.Items[0].ID)
			}
		}
	}
	if len(ids) != len(b.Jobs) {
		t.Fatalf("cursor pages gave %d jobs, the build has %d", len(ids), len(b.Jobs))
	}
	for i, j := range b.Jobs {
		if ids[i] != j.ID {
			t.Fatalf("job %d is %s by cursor, %s in the build", i, ids[i], j.ID)
		}
	}
	var all page
	getJSON(t, env, base+"?state[]=waiting&state[]=passed&state[]=running&state[]=scheduled", http.StatusOK, &all)
	for _, j := range all.Items {
		if j.State != "waiting" && j.State != "passed" && j.State != "running" && j.State != "scheduled" {
			t.Fatalf("state filter let through %s", j.State)
		}
	}
	for _, bad := range []string{"?per_page=0", "?per_page=101", "?per_page=x", "?state[]=finished", "?after=nonsense", "?after=a&before=b"} {
		getJSON(t, env, base+bad, http.StatusBadRequest, nil)
	}
}

func TestDeletingAPipelineWithRunningBuildsIsRefused(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	clock.Add(5 * time.Minute)
	var active []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds?state[]=running", http.StatusOK, &active)
	if len(active) == 0 {
		t.Fatal("nothing running")
	}
	err := env.Client.DeletePipeline(context.Background(), active[0].Pipeline.Slug)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete = %v, want a 422", err)
	}
}

func TestQuietSandboxRunsNothing(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now, Quiet: true}, nil)
	clock.Add(30 * time.Minute)
	var builds []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds", http.StatusOK, &builds)
	var agents []model.Agent
	getJSON(t, env, "/v2/organizations/acme/agents", http.StatusOK, &agents)
	if len(builds) != 0 || len(agents) == 0 {
		t.Fatalf("a quiet sandbox has %d builds and %d agents; want none and some", len(builds), len(agents))
	}
	// The default test sandbox is quiet too: pipelines can be deleted as
	// they always could.
	quiet := sandboxtest.Start(t, sandbox.Options{}, nil)
	if err := quiet.Client.DeletePipeline(context.Background(), "checkout"); err != nil {
		t.Fatal(err)
	}
}

func TestALongRunningSandboxStaysSmall(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	count := func() (agents, builds int) {
		var a []model.Agent
		for page := 1; ; page++ {
			var got []model.Agent
			getJSON(t, env, fmt.Sprintf("/v2/organizations/acme/agents?per_page=100&page=%d", page), http.StatusOK, &got)
			a = append(a, got...)
			if len(got) < 100 {
				break
			}
		}
		return len(a), len(env.Sandbox.Agents())
	}
	_, knownBefore := count()
	for i := 0; i < 24; i++ { // a day, an hour at a time
		clock.Add(time.Hour)
		get(t, env, "/v2/organizations/acme/agents", env.Sandbox.Token())
	}
	listed, known := count()
	if known > 3*knownBefore || listed == 0 {
		t.Fatalf("after a day the sandbox knows %d agents (from %d), lists %d", known, knownBefore, listed)
	}
	var builds []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds?per_page=100&branch=*", http.StatusOK, &builds)
	if len(builds) == 0 {
		t.Fatal("no builds after a day")
	}
}

func TestPipelinesCountTheSimulationsBuilds(t *testing.T) {
	env, clock := startLive(t, 0)
	clock.Add(10 * time.Minute)
	var active []model.Build
	getJSON(t, env, "/v2/organizations/acme/builds?state[]=scheduled&state[]=running&state[]=failing&per_page=100", http.StatusOK, &active)
	want := map[string][2]int{} // slug → scheduled, running (or failing) builds
	for _, b := range active {
		c := want[b.Pipeline.Slug]
		if b.State == model.BuildScheduled {
			c[0]++
		} else {
			c[1]++
		}
		want[b.Pipeline.Slug] = c
	}
	var pipelines []model.Pipeline
	getJSON(t, env, "/v2/organizations/acme/pipelines?per_page=100", http.StatusOK, &pipelines)
	busy := 0
	for _, p := range pipelines {
		if got := [2]int{p.ScheduledBuildsCount, p.RunningBuildsCount}; got != want[p.Slug] {
			t.Fatalf("%s counts %v builds, the builds list has %v", p.Slug, got, want[p.Slug])
		}
		if p.RunningBuildsCount > 0 {
			busy++
		}
	}
	if busy == 0 {
		t.Fatal("no pipeline counts a running build")
	}
}
