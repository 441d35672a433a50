package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Agent connection states, as the agents API writes connection_state.
const (
	AgentNeverConnected = "never_connected"
	AgentConnected      = "connected"
	AgentDisconnected   = "disconnected"
	AgentStopping       = "stopping"
	AgentStopped        = "stopped"
	AgentLost           = "lost"
)

// Agent is a Buildkite agent: every field of the agents API's data model.
// The paused_* fields are not in the documented data model, but the API
// sends them and the official Go client reads them; they are what tells a
// paused agent from a busy or idle one.
type Agent struct {
	ID                string     `json:"id"`
	GraphQLID         string     `json:"graphql_id"`
	URL               string     `json:"url"`
	WebURL            string     `json:"web_url"`
	Name              string     `json:"name"`
	ConnectionState   string     `json:"connection_state"`
	Hostname          string     `json:"hostname"`
	IPAddress         string     `json:"ip_address"`
	UserAgent         string     `json:"user_agent"`
	Version           string     `json:"version"`
	OSID              string     `json:"os_id"`
	Arch              string     `json:"arch"`
	Queue             string     `json:"queue"`
	Creator           *User      `json:"creator"`
	CreatedAt         *Timestamp `json:"created_at"`
	ConnectedAt       *Timestamp `json:"connected_at"`
	DisconnectedAt    *Timestamp `json:"disconnected_at"`
	LostAt            *Timestamp `json:"lost_at"`
	StoppedAt         *Timestamp `json:"stopped_at"`
	Job               *AgentJob  `json:"job"`
	LastJobFinishedAt *Timestamp `json:"last_job_finished_at"`
	Priority          *int       `json:"priority"`
	MetaData          []string   `json:"meta_data"`

	Paused                 bool       `json:"paused"`
	PausedAt               *Timestamp `json:"paused_at"`
	PausedBy               *User      `json:"paused_by"`
	PausedNote             *string    `json:"paused_note"`
	PausedTimeoutInMinutes *int       `json:"paused_timeout_in_minutes"`
}

// AgentJob is the job an agent is running: a Job read whatever its
// shape, so that one of a shape this build does not know never costs the
// agent (see Unreadable). It is a type of its own, not an UnmarshalJSON
// of Agent's, so that a page of agents is read in one pass: a method on
// Agent would have encoding/json scan every agent three times more.
type AgentJob struct {
	Job
	// Unreadable is why the job could not be read whole: Job then holds
	// what could be read of it (its id, state and build), so the agent
	// still reads as busy.
	Unreadable error `json:"-"`
}

// UnmarshalJSON reads the job, or what can be read of it.
func (j *AgentJob) UnmarshalJSON(data []byte) error {
	var whole Job
	err := json.Unmarshal(data, &whole)
	if err == nil {
		*j = AgentJob{Job: whole}
		return nil
	}
	var least struct {
		ID       any `json:"id"`
		State    any `json:"state"`
		BuildURL any `json:"build_url"`
		WebURL   any `json:"web_url"`
	}
	if json.Unmarshal(data, &least) != nil {
		return err
	}
	str := func(v any) string { s, _ := v.(string); return s }
	*j = AgentJob{Job: Job{ID: str(least.ID), State: str(least.State), BuildURL: str(least.BuildURL), WebURL: str(least.WebURL)},
		Unreadable: fmt.Errorf("the job: %w", err)}
	return nil
}

// Busy reports whether the agent is running a job.
func (a Agent) Busy() bool { return a.Job != nil && a.Job.ID != "" }

// Tag returns the value of the agent's meta_data tag key (key=value), and
// whether it has one.
func (a Agent) Tag(key string) (string, bool) {
	for _, kv := range a.MetaData {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// AgentListFilter narrows "List agents"; empty fields do not filter.
type AgentListFilter struct {
	Name     string
	Hostname string
	Version  string
	// ClusterQueueID keeps the agents registered to one queue (its UUID).
	ClusterQueueID string
}

// Bounds of an agent pause's timeout_in_minutes: one minute to seven days.
// DefaultAgentPauseMinutes is Buildkite's timeout for a pause that names
// none: such an agent is resumed after five minutes, not kept paused.
const (
	MinAgentPauseMinutes     = 1
	MaxAgentPauseMinutes     = 7 * 24 * 60
	DefaultAgentPauseMinutes = 5
)

// AgentPause is the body of "Pause an agent". A zero TimeoutInMinutes
// means Buildkite's default (DefaultAgentPauseMinutes); the client sends
// the timeout explicitly either way (Timeout), so what is shown is what is
// asked for.
type AgentPause struct {
	Note             string `json:"note,omitempty"`
	TimeoutInMinutes int    `json:"timeout_in_minutes"`
}

// Timeout is the pause's timeout in minutes as sent: its own, or the
// default for none.
func (p AgentPause) Timeout() int {
	if p.TimeoutInMinutes == 0 {
		return DefaultAgentPauseMinutes
	}
	return p.TimeoutInMinutes
}

// AgentPauseTimeoutText says a pause's timeout for a person: "2 hours",
// and for none (zero) "5 minutes (Buildkite's default)".
func AgentPauseTimeoutText(minutes int) string {
	if minutes == 0 {
		return minutesText(DefaultAgentPauseMinutes) + " (Buildkite's default)"
	}
	return minutesText(minutes)
}

func minutesText(m int) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case m%(24*60) == 0:
		return plural(m/(24*60), "day")
	case m%60 == 0:
		return plural(m/60, "hour")
	}
	return plural(m, "minute")
}

// PausedUntil is when a paused agent's pause ends and Buildkite resumes
// it: paused_at plus its timeout (Buildkite's default when the reply
// names none). ok is false for an agent that is not paused or whose
// paused_at is unknown.
func (a Agent) PausedUntil() (until time.Time, ok bool) {
	if !a.Paused || a.PausedAt == nil || a.PausedAt.IsZero() {
		return time.Time{}, false
	}
	minutes := DefaultAgentPauseMinutes
	if m := Value(a.PausedTimeoutInMinutes); m > 0 {
		minutes = m
	}
	return a.PausedAt.Add(time.Duration(minutes) * time.Minute), true
}

// AgentStop is the body of "Stop an agent". Force cancels the job the
// agent is running, and its build; the API's default is true, so it is
// always sent.
type AgentStop struct {
	Force bool `json:"force"`
}

// ValidateAgentPauseTimeout checks a pause's timeout: zero (Buildkite's
// default) or 1 minute .. 7 days.
func ValidateAgentPauseTimeout(minutes int) error {
	if minutes == 0 || (minutes >= MinAgentPauseMinutes && minutes <= MaxAgentPauseMinutes) {
		return nil
	}
	return fmt.Errorf("a pause's timeout must be between %d minute and %d minutes (7 days)", MinAgentPauseMinutes, MaxAgentPauseMinutes)
}

// ClusterQueueID is the queue the agent is registered to, read from its
// web_url (.../clusters/{id}/queues/{id}/agents/{id}): the agent data
// model has no cluster_queue_id of its own. known is false when the URL
// does not name one.
func (a Agent) ClusterQueueID() (id string, known bool) {
	_, rest, ok := strings.Cut(a.WebURL, "/queues/")
	if !ok {
		return "", false
	}
	id, _, ok = strings.Cut(rest, "/agents/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}
