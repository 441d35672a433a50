package sandbox_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	buildkite "github.com/buildkite/go-buildkite/v4"
)

// The official Go client against the sandbox for the calls of issue 27:
// all builds (GET /v2/builds), a failing build and the retry of its
// failed job, pause with and without a timeout (Buildkite's default of
// five minutes, after which the agent is resumed), a graceful stop of a
// busy agent (stopping), the name filter, and unblock with fields.
func TestOfficialClientFailingBuildsPausesStopsAndUnblocks(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()

	all := ok[[]buildkite.Build](t)(bk.Builds.List(ctx, &buildkite.BuildsListOptions{ListOptions: buildkite.ListOptions{PerPage: 10}}))
	if len(all) != 10 || all[0].Pipeline == nil {
		t.Fatalf("all builds: %d", len(all))
	}

	var failing buildkite.Build
	var failed buildkite.Job
	for i := 0; i < 120 && failed.ID == ""; i++ {
		clock.Add(30 * time.Second)
		for _, b := range ok[[]buildkite.Build](t)(bk.Builds.ListByOrg(ctx, org, &buildkite.BuildsListOptions{State: []string{"failing"}})) {
			for _, j := range b.Jobs {
				if j.State == "failed" && failed.ID == "" {
					failing, failed = b, j
				}
			}
		}
	}
	if failed.ID == "" || failing.State != "failing" {
		t.Fatalf("no failing build with a failed job: %s %+v", failing.State, failed)
	}
	retried := ok[buildkite.Job](t)(bk.Jobs.RetryJob(ctx, org, failing.Pipeline.Slug, strconv.Itoa(failing.Number), failed.ID))
	if retried.ID == failed.ID || retried.State != "scheduled" {
		t.Fatalf("retry = %+v", retried)
	}

	agents := ok[[]buildkite.Agent](t)(bk.Agents.List(ctx, org, &buildkite.AgentListOptions{ListOptions: buildkite.ListOptions{PerPage: 100}}))
	var idle, busy buildkite.Agent
	for _, a := range agents {
		switch {
		case a.Job == nil && (a.Paused == nil || !*a.Paused) && idle.ID == "":
			idle = a
		case a.Job != nil && busy.ID == "":
			busy = a
		}
	}
	if idle.ID == "" || busy.ID == "" {
		t.Fatalf("no idle (%q) or busy (%q) agent", idle.ID, busy.ID)
	}
	named := ok[[]buildkite.Agent](t)(bk.Agents.List(ctx, org, &buildkite.AgentListOptions{Name: idle.Name}))
	if len(named) != 1 || named[0].ID != idle.ID {
		t.Fatalf("by name: %d agents", len(named))
	}

	if _, err := bk.Agents.Pause(ctx, org, idle.ID, nil); err != nil {
		t.Fatal(err)
	}
	got := ok[buildkite.Agent](t)(bk.Agents.Get(ctx, org, idle.ID))
	if got.Paused == nil || !*got.Paused || got.PausedTimeoutInMinutes == nil || *got.PausedTimeoutInMinutes != 5 {
		t.Fatalf("a pause without a timeout: %+v", got)
	}
	clock.Add(5 * time.Minute)
	if got := ok[buildkite.Agent](t)(bk.Agents.Get(ctx, org, idle.ID)); got.Paused != nil && *got.Paused {
		t.Fatal("a pause without a timeout outlived Buildkite's default of five minutes")
	}
	if _, err := bk.Agents.Pause(ctx, org, idle.ID, &buildkite.AgentPauseOptions{Note: "disk", TimeoutInMinutes: 30}); err != nil {
		t.Fatal(err)
	}
	if got := ok[buildkite.Agent](t)(bk.Agents.Get(ctx, org, idle.ID)); *got.PausedTimeoutInMinutes != 30 || *got.PausedNote != "disk" {
		t.Fatalf("a pause of 30 minutes: %+v", got)
	}

	if _, err := bk.Agents.Stop(ctx, org, busy.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := ok[buildkite.Agent](t)(bk.Agents.Get(ctx, org, busy.ID)); got.ConnectedState != "stopping" {
		t.Fatalf("a graceful stop of a busy agent: %s", got.ConnectedState)
	}

	b, block := blockedStep(t, env.Client, clock)
	un := ok[buildkite.Job](t)(bk.Jobs.UnblockJob(ctx, org, b.Pipeline.Slug, strconv.Itoa(b.Number), block.ID,
		&buildkite.JobUnblockOptions{Fields: map[string]string{"release-name": "v4", "environment": "production"}}))
	if un.State != "unblocked" || un.UnblockedBy == nil {
		t.Fatalf("unblock = %+v", un)
	}
	after := ok[buildkite.Build](t)(bk.Builds.Get(ctx, org, b.Pipeline.Slug, strconv.Itoa(b.Number), nil))
	if after.MetaData["release-name"] != "v4" || after.MetaData["environment"] != "production" {
		t.Fatalf("meta-data = %v", after.MetaData)
	}
}

// The official client's remaining jobs calls: a job's environment, its
// reprioritisation (a waiting job of higher priority goes first) and the
// deletion of its log.
func TestOfficialClientJobEnvPriorityAndLogDeletion(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()
	clock.Add(5 * time.Minute)
	var b buildkite.Build
	var script buildkite.Job
	for _, x := range ok[[]buildkite.Build](t)(bk.Builds.ListByOrg(ctx, org, &buildkite.BuildsListOptions{State: []string{"passed", "failed"}})) {
		for _, j := range x.Jobs {
			if j.Type == "script" && j.StartedAt != nil && script.ID == "" {
				b, script = x, j
			}
		}
	}
	if script.ID == "" {
		t.Fatal("no finished script job")
	}
	slug, number := b.Pipeline.Slug, strconv.Itoa(b.Number)
	envs := ok[buildkite.JobEnvs](t)(bk.Jobs.GetJobEnvironmentVariables(ctx, org, slug, number, script.ID))
	if envs.EnvironmentVariables["BUILDKITE_JOB_ID"] != script.ID || envs.EnvironmentVariables["BUILDKITE_BUILD_NUMBER"] != number ||
		envs.EnvironmentVariables["BUILDKITE_COMMIT"] != b.Commit {
		t.Fatalf("env = %v", envs.EnvironmentVariables)
	}
	re := ok[buildkite.Job](t)(bk.Jobs.ReprioritizeJob(ctx, org, slug, number, script.ID, &buildkite.JobReprioritizationOptions{Priority: 5}))
	if re.ID != script.ID || re.Priority == nil || re.Priority.Number != 5 {
		t.Fatalf("reprioritized = %+v", re.Priority)
	}
	log := ok[buildkite.JobLog](t)(bk.Jobs.GetJobLog(ctx, org, slug, number, script.ID))
	if log.Size == 0 {
		t.Fatal("the job has no log to delete")
	}
	if _, err := bk.Jobs.DeleteJobLog(ctx, org, slug, number, script.ID); err != nil {
		t.Fatal(err)
	}
	if log := ok[buildkite.JobLog](t)(bk.Jobs.GetJobLog(ctx, org, slug, number, script.ID)); log.Size != 0 {
		t.Fatalf("a deleted log has %d bytes", log.Size)
	}
}
