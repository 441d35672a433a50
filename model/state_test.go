package model

import (
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
