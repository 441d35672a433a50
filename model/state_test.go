package model

import (
	"encoding/json"
	"testing"
	"time"
)

// failing, canceling and timing_out are drawn with the failures, and a
// running build with failing_at reads as failing.
func TestFailingLikeStatesAreRed(t *testing.T) {
	for _, s := range []string{"failing", "failed", "canceling", "timing_out", "timed_out", "broken", "expired", "waiting_failed"} {
		if got := FamilyOf(s); got != FamilyRed {
			t.Errorf("%s is %s, want red", s, got)
		}
	}
	for s, want := range map[string]StateFamily{"running": FamilyRunning, "scheduled": FamilyPending, "passed": FamilyPassed,
		"canceled": FamilyCanceled, "blocked": FamilyBlocked, "skipped": FamilyMuted, "limited": FamilyMuted} {
		if got := FamilyOf(s); got != want {
			t.Errorf("%s is %s, want %s", s, got, want)
		}
	}
	b := Build{State: BuildRunning, FailingAt: NewTimestamp(time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC))}
	if b.DisplayState() != BuildFailing {
		t.Errorf("a running build with failing_at shows %s", b.DisplayState())
	}
	if !JobOnAgent(JobTimingOut) {
		t.Error("a timing_out job is not counted as holding its agent")
	}
}

// An empty pause timeout is said as Buildkite's default, and a paused
// agent's end follows from paused_at and its timeout.
func TestAgentPauseTimeoutAndPausedUntil(t *testing.T) {
	for m, want := range map[int]string{0: "5 minutes (Buildkite's default)", 1: "1 minute", 90: "90 minutes", 120: "2 hours", 1440: "1 day", 10080: "7 days"} {
		if got := AgentPauseTimeoutText(m); got != want {
			t.Errorf("%d minutes reads %q, want %q", m, got, want)
		}
	}
	if (AgentPause{}).Timeout() != 5 || (AgentPause{TimeoutInMinutes: 30}).Timeout() != 30 {
		t.Error("a pause's timeout as sent is wrong")
	}
	at := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	a := Agent{Paused: true, PausedAt: NewTimestamp(at), PausedTimeoutInMinutes: Ptr(60)}
	if until, ok := a.PausedUntil(); !ok || !until.Equal(at.Add(time.Hour)) {
		t.Errorf("paused until %v, %v", until, ok)
	}
	a.PausedTimeoutInMinutes = nil
	if until, ok := a.PausedUntil(); !ok || !until.Equal(at.Add(5*time.Minute)) {
		t.Errorf("without a timeout in the reply: paused until %v, %v; want Buildkite's default", until, ok)
	}
	if _, ok := (Agent{}).PausedUntil(); ok {
		t.Error("an agent that is not paused has a paused-until time")
	}
}

func TestPipelineSlugs(t *testing.T) {
	p := Pipeline{Name: "Deploy", Slug: "deploy-custom"}
	for _, tc := range []struct {
		u    PipelineUpdate
		want string
	}{
		{PipelineUpdate{}, "deploy-custom"},
		{PipelineUpdate{Name: Set("Deploy")}, "deploy-custom"},
		{PipelineUpdate{Name: Set("Ship It")}, "ship-it"},
		{PipelineUpdate{Name: Set("Ship It"), Slug: Set("ship")}, "ship"},
		{PipelineUpdate{Slug: Null[string]()}, "deploy"},
	} {
		if got, err := RenamedSlug(p, tc.u); err != nil || got != tc.want {
			t.Errorf("%+v: %q, %v; want %q", tc.u, got, err, tc.want)
		}
	}
	if _, err := PipelineSlug("x", "-no"); err == nil {
		t.Error("a slug beginning with a dash was accepted")
	}
	if got, _ := PipelineSlug("Hello    There Friend", ""); got != "hello-there-friend" {
		t.Errorf("derived %q", got)
	}
}

// An agent whose job is of a shape this build cannot read is still read,
// busy with what could be read of its job.
func TestAnAgentWithAnUnreadableJobIsKept(t *testing.T) {
	var a Agent
	err := json.Unmarshal([]byte(`{"id":"a1","name":"ci-1","connection_state":"connected",
		"job":{"id":"j1","state":"running","build_url":"https://api/v2/organizations/o/pipelines/p/builds/7","exit_status":"zero"}}`), &a)
	if err != nil || a.ID != "a1" || !a.Busy() || a.Job.State != JobRunning || a.Job.Unreadable == nil {
		t.Fatalf("%+v, %v", a, err)
	}
	if slug, n, ok := a.Job.BuildRef(); !ok || slug != "p" || n != 7 {
		t.Fatalf("build ref %q %d", slug, n)
	}
	var idle Agent
	if err := json.Unmarshal([]byte(`{"id":"a2","job":null}`), &idle); err != nil || idle.Job != nil {
		t.Fatalf("%+v, %v", idle, err)
	}
}
