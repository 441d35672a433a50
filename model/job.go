package model

import "encoding/json"

// Job types.
const (
	JobScript  = "script"
	JobWaiter  = "waiter"
	JobManual  = "manual"
	JobTrigger = "trigger"
)

// Job states the console acts on (the API has more: see builds.md).
const (
	JobPending   = "pending"
	JobWaiting   = "waiting"
	JobBlocked   = "blocked"
	JobUnblocked = "unblocked"
	JobScheduled = "scheduled"
	JobAssigned  = "assigned"
	JobAccepted  = "accepted"
	JobRunning   = "running"
	JobPassed    = "passed"
	JobFailed    = "failed"
	JobCanceling = "canceling"
	JobCanceled  = "canceled"
	JobTimedOut  = "timed_out"
	JobSkipped   = "skipped"
	JobBroken    = "broken"
	JobExpired   = "expired"
)

// JobWaitingForAgent reports whether a job in state is waiting for an
// agent of its queue: scheduled, but not yet taken.
func JobWaitingForAgent(state string) bool { return state == JobScheduled }

// JobOnAgent reports whether a job in state is held by an agent: a job
// that is being canceled or timing out still holds its agent until the
// agent stops it.
func JobOnAgent(state string) bool {
	switch state {
	case JobAssigned, JobAccepted, JobRunning, JobCanceling, JobTimingOut:
		return true
	}
	return false
}

// JobFinished reports whether a job in state is over.
func JobFinished(state string) bool {
	switch state {
	case JobPassed, JobFailed, JobCanceled, JobTimedOut, JobSkipped, JobBroken, JobExpired, "waiting_failed", "blocked_failed", "unblocked_failed":
		return true
	}
	return false
}

// Job is one unit of work of a build: every field of the builds API's job
// data model.
type Job struct {
	ID                   string          `json:"id"`
	GraphQLID            string          `json:"graphql_id"`
	Type                 string          `json:"type"`
	Name                 *string         `json:"name,omitempty"`
	Label                *string         `json:"label,omitempty"`
	StepKey              *string         `json:"step_key,omitempty"`
	GroupKey             *string         `json:"group_key,omitempty"`
	Step                 *JobStep        `json:"step,omitempty"`
	Priority             *JobPriority    `json:"priority,omitempty"`
	AgentQueryRules      []string        `json:"agent_query_rules,omitempty"`
	State                string          `json:"state"`
	BuildURL             string          `json:"build_url,omitempty"`
	WebURL               string          `json:"web_url"`
	LogURL               string          `json:"log_url,omitempty"`
	RawLogURL            string          `json:"raw_log_url,omitempty"`
	ArtifactsURL         string          `json:"artifacts_url,omitempty"`
	Command              *string         `json:"command,omitempty"`
	SoftFailed           bool            `json:"soft_failed"`
	ExitStatus           *int            `json:"exit_status"`
	Signal               *string         `json:"signal,omitempty"`
	SignalReason         *string         `json:"signal_reason,omitempty"`
	BrokenReason         *string         `json:"broken_reason,omitempty"`
	PromisedExitStatus   *int            `json:"promised_exit_status,omitempty"`
	PromisedExitStatusAt *Timestamp      `json:"promised_exit_status_at,omitempty"`
	ArtifactPaths        *string         `json:"artifact_paths,omitempty"`
	Agent                *Agent          `json:"agent"`
	CreatedAt            *Timestamp      `json:"created_at"`
	ScheduledAt          *Timestamp      `json:"scheduled_at"`
	RunnableAt           *Timestamp      `json:"runnable_at"`
	StartedAt            *Timestamp      `json:"started_at"`
	FinishedAt           *Timestamp      `json:"finished_at"`
	Retried              bool            `json:"retried"`
	RetriedInJobID       *string         `json:"retried_in_job_id"`
	RetriesCount         int             `json:"retries_count"`
	RetrySource          *RetrySource    `json:"retry_source"`
	RetryType            *string         `json:"retry_type"`
	ParallelGroupIndex   *int            `json:"parallel_group_index"`
	ParallelGroupTotal   *int            `json:"parallel_group_total"`
	Matrix               json.RawMessage `json:"matrix,omitempty"`
	ClusterID            *string         `json:"cluster_id"`
	ClusterURL           *string         `json:"cluster_url,omitempty"`
	ClusterQueueID       *string         `json:"cluster_queue_id"`
	ClusterQueueURL      *string         `json:"cluster_queue_url,omitempty"`
	Async                *bool           `json:"async,omitempty"`
	TriggeredBuild       *TriggeredBuild `json:"triggered_build,omitempty"`

	// Block steps (type manual).
	Unblockable *bool      `json:"unblockable,omitempty"`
	UnblockURL  *string    `json:"unblock_url,omitempty"`
	UnblockedBy *User      `json:"unblocked_by,omitempty"`
	UnblockedAt *Timestamp `json:"unblocked_at,omitempty"`
	// Fields are not in Buildkite's REST job (nor in its official
	// clients): a block step's fields are in the pipeline's YAML
	// (BlockFields). Kept so that a reply that carries them is read.
	Fields []UnblockField `json:"fields,omitempty"`
}

// BlockFields finds this block step's fields in its pipeline's YAML
// configuration, by step key or label (see BlockStepFields); found is
// false when the step is not there and the fields are free key=value.
func (j Job) BlockFields(configuration string) (fields []UnblockField, found bool) {
	return BlockStepFields(configuration, Value(j.StepKey), j.DisplayName())
}

// DisplayName is the job's label, else its name, else its command.
func (j Job) DisplayName() string {
	switch {
	case Value(j.Label) != "":
		return *j.Label
	case Value(j.Name) != "":
		return *j.Name
	default:
		return Value(j.Command)
	}
}

// JobStep is a job's step information.
type JobStep struct {
	ID        string         `json:"id"`
	Signature *StepSignature `json:"signature,omitempty"`
}

// StepSignature is a signed step's signature.
type StepSignature struct {
	Value        string   `json:"value"`
	Algorithm    string   `json:"algorithm"`
	SignedFields []string `json:"signed_fields"`
}

// JobPriority is a job's dispatch priority.
type JobPriority struct {
	Number int `json:"number"`
}

// RetrySource names the job a retry was made from.
type RetrySource struct {
	JobID     string `json:"job_id"`
	RetryType string `json:"retry_type"`
}

// TriggeredBuild is the build a trigger job started.
type TriggeredBuild struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	URL    string `json:"url"`
	WebURL string `json:"web_url"`
}

// UnblockField is one field of a block step's form: text when Options is
// empty, a select otherwise.
type UnblockField struct {
	Key      string          `json:"key"`
	Text     string          `json:"text,omitempty"`
	Select   string          `json:"select,omitempty"`
	Hint     string          `json:"hint,omitempty"`
	Required bool            `json:"required"`
	Default  string          `json:"default,omitempty"`
	Multiple bool            `json:"multiple,omitempty"`
	Options  []UnblockOption `json:"options,omitempty"`
}

// UnblockOption is one choice of a select field.
type UnblockOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}
