package model

import (
	"encoding/json"
	"fmt"
	"time"
)

// Build states, as the builds API writes state.
const (
	BuildScheduled = "scheduled"
	BuildRunning   = "running"
	BuildPassed    = "passed"
	BuildFailed    = "failed"
	BuildBlocked   = "blocked"
	BuildCanceling = "canceling"
	BuildCanceled  = "canceled"
	BuildSkipped   = "skipped"
	BuildNotRun    = "not_run"
	// BuildFailing is a build with a hard job failure whose other jobs
	// still run or wait (builds.md: cancel works "if its state is either
	// scheduled, running, or failing"); failing_at says since when. It is
	// both a state and a filter of the list endpoints.
	BuildFailing = "failing"
	// BuildFinished is a filter shortcut for passed, failed, blocked and
	// canceled.
	BuildFinished = "finished"
)

// BuildFinishedState reports whether a build in state is over.
func BuildFinishedState(state string) bool {
	switch state {
	case BuildPassed, BuildFailed, BuildCanceled, BuildSkipped, BuildNotRun:
		return true
	}
	return false
}

// Build is one run of a pipeline: every field of the builds API's data
// model.
type Build struct {
	ID             string            `json:"id"`
	GraphQLID      string            `json:"graphql_id"`
	URL            string            `json:"url"`
	WebURL         string            `json:"web_url"`
	Number         int               `json:"number"`
	State          string            `json:"state"`
	Blocked        bool              `json:"blocked"`
	CancelReason   *string           `json:"cancel_reason"`
	Message        string            `json:"message"`
	Commit         string            `json:"commit"`
	Branch         string            `json:"branch"`
	Env            map[string]any    `json:"env"`
	Source         string            `json:"source"`
	Creator        *User             `json:"creator"`
	Jobs           []Job             `json:"jobs,omitempty"`
	JobStateCounts *JobStateCounts   `json:"job_state_counts,omitempty"`
	CreatedAt      *Timestamp        `json:"created_at"`
	ScheduledAt    *Timestamp        `json:"scheduled_at"`
	StartedAt      *Timestamp        `json:"started_at"`
	FailingAt      *Timestamp        `json:"failing_at"`
	FinishedAt     *Timestamp        `json:"finished_at"`
	MetaData       map[string]string `json:"meta_data"`
	PullRequest    json.RawMessage   `json:"pull_request,omitempty"`
	MergeQueue     json.RawMessage   `json:"merge_queue,omitempty"`
	RebuiltFrom    *BuildRef         `json:"rebuilt_from"`
	Pipeline       *Pipeline         `json:"pipeline,omitempty"`
	// RetriedJobsCount is set in the reply of "Retry failed jobs".
	RetriedJobsCount *int `json:"retried_jobs_count,omitempty"`

	// SkippedJobs counts the jobs of the reply that could not be read (a
	// shape this build does not know); SkippedJobsReason is the first
	// one's reason. The other jobs are in Jobs: one odd job never costs
	// the build.
	SkippedJobs       int   `json:"-"`
	SkippedJobsReason error `json:"-"`
}

// UnmarshalJSON reads a build with its jobs one by one (see SkippedJobs).
func (b *Build) UnmarshalJSON(data []byte) error {
	type plain Build
	var raw struct {
		plain
		Jobs []json.RawMessage `json:"jobs"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*b = Build(raw.plain)
	if raw.Jobs == nil {
		return nil
	}
	b.Jobs = make([]Job, 0, len(raw.Jobs))
	for i, r := range raw.Jobs {
		var j Job
		if err := json.Unmarshal(r, &j); err != nil {
			b.SkippedJobs++
			if b.SkippedJobsReason == nil {
				b.SkippedJobsReason = fmt.Errorf("job %d of build %d: %w", i+1, b.Number, err)
			}
			continue
		}
		b.Jobs = append(b.Jobs, j)
	}
	return nil
}

// Duration is how long the build ran: from start to finish, or to now
// while it runs; zero before it starts.
func (b Build) Duration(now time.Time) time.Duration {
	if b.StartedAt == nil || b.StartedAt.IsZero() {
		return 0
	}
	end := now
	if b.FinishedAt != nil && !b.FinishedAt.IsZero() {
		end = b.FinishedAt.Time
	}
	return max(0, end.Sub(b.StartedAt.Time))
}

// JobStateCounts counts a build's jobs by state ("Get a build" only).
type JobStateCounts struct {
	Total  int            `json:"total"`
	States map[string]int `json:"states"`
}

// BuildRef names another build (rebuilt_from).
type BuildRef struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	URL    string `json:"url"`
}

// BuildFilter narrows the build lists; empty fields do not filter.
type BuildFilter struct {
	// States are build states (or failing, finished), ORed.
	States      []string
	Branch      string
	Commit      string
	CreatedFrom time.Time
	CreatedTo   time.Time
	// ExcludeJobs and ExcludePipeline leave those parts out of each build.
	ExcludeJobs     bool
	ExcludePipeline bool
}

// JobFilter narrows "List jobs"; empty fields do not filter.
type JobFilter struct {
	States   []string
	StepKey  string
	GroupKey string
}

// BuildCreate is the body of "Create a build". Commit and Branch are
// required; Env must be an object (the API refuses a string).
type BuildCreate struct {
	Commit        string            `json:"commit"`
	Branch        string            `json:"branch"`
	Message       string            `json:"message,omitempty"`
	Author        *BuildAuthor      `json:"author,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	MetaData      map[string]string `json:"meta_data,omitempty"`
	CleanCheckout bool              `json:"clean_checkout,omitempty"`
}

// BuildAuthor names who a created build is shown as made by.
type BuildAuthor struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// RetryFailedJobs is the body of "Retry failed jobs for a build": States
// is a comma-separated list of canceled, expired, failed, soft_failed,
// timed_out; empty retries every retryable failed job.
type RetryFailedJobs struct {
	States string `json:"states,omitempty"`
}

// JobUnblock is the body of "Unblock a job": the block step's field
// values by key.
type JobUnblock struct {
	Fields map[string]string `json:"fields,omitempty"`
}
