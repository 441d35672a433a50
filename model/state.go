package model

// StateFamily groups build and job states by what a person should take
// from them at a glance; the console draws each family in one colour, so
// that every failing-like state is red however the API spells it.
type StateFamily string

// The families.
const (
	// FamilyRed: failed, or on the way to it (failing, canceling,
	// timing_out, timed_out, broken, expired, *_failed).
	FamilyRed StateFamily = "red"
	// FamilyRunning: held by an agent or under way.
	FamilyRunning StateFamily = "running"
	// FamilyPending: waiting for an agent or for earlier steps.
	FamilyPending StateFamily = "pending"
	// FamilyPassed: over, and well (passed, unblocked).
	FamilyPassed StateFamily = "passed"
	// FamilyBlocked: waiting for a person.
	FamilyBlocked StateFamily = "blocked"
	// FamilyCanceled: stopped by someone, not failed.
	FamilyCanceled StateFamily = "canceled"
	// FamilyMuted: anything else (skipped, not_run, limited, a state this
	// build does not know).
	FamilyMuted StateFamily = "muted"
)

// JobTimingOut is a job past its timeout whose agent is stopping it; it
// still holds the agent.
const JobTimingOut = "timing_out"

// FamilyOf is the family of a build's or a job's state.
func FamilyOf(state string) StateFamily {
	switch state {
	case BuildFailing, BuildFailed, BuildCanceling, JobTimingOut, JobTimedOut, JobBroken, JobExpired,
		"waiting_failed", "blocked_failed", "unblocked_failed":
		return FamilyRed
	case BuildRunning, JobAssigned, JobAccepted:
		return FamilyRunning
	case BuildScheduled, JobWaiting, JobPending, "creating":
		return FamilyPending
	case BuildPassed, JobUnblocked:
		return FamilyPassed
	case BuildBlocked:
		return FamilyBlocked
	case BuildCanceled:
		return FamilyCanceled
	}
	return FamilyMuted
}

// DisplayState is the state to show for a build: failing for a running
// build that has failing_at set (a server that keeps running and only
// sets the time, as older replies and some proxies' caches do), else the
// API's state.
func (b Build) DisplayState() string {
	if b.State == BuildRunning && b.FailingAt != nil && !b.FailingAt.IsZero() {
		return BuildFailing
	}
	return b.State
}

// BuildActiveStates are the build states whose jobs may wait for or hold
// an agent: what a queue's load is counted from. failing is a build with a
// failed job whose other jobs still run or wait; canceling one whose jobs
// are still being stopped on their agents.
var BuildActiveStates = []string{BuildScheduled, BuildRunning, BuildFailing, BuildCanceling}
