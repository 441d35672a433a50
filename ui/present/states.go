package present

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

// StateLabel is a build's or job's state as a glyph and its word, in the
// state's colour: the glyph and the word still say it with NO_COLOR.
func StateLabel(state string, blocked bool) Cell {
	word := strings.ReplaceAll(state, "_", " ")
	if blocked || state == model.JobBlocked {
		// A blocked build keeps the state of its steps so far (passed):
		// what a person needs to know is that it waits for someone.
		return As(Paused, "⏸ blocked")
	}
	if model.FamilyOf(state) == model.FamilyRed {
		// failing, canceling and timing_out are on the way to failed:
		// drawn as it is, not grey.
		glyph := "✗ "
		if state == model.BuildCanceling {
			glyph = "⊘ "
		}
		return As(Danger, glyph+word)
	}
	switch state {
	case model.BuildRunning, model.JobAssigned, model.JobAccepted:
		return As(Running, "▶ "+word)
	case model.BuildScheduled, model.JobWaiting, model.JobPending:
		return As(Pending, "◷ "+word)
	case model.BuildPassed:
		return As(Running, "✓ "+word)
	case model.BuildCanceled:
		return As(Warning, "⊘ "+word)
	case model.JobUnblocked:
		return As(Running, "✓ "+word)
	}
	return As(Muted, "· "+word)
}

// BuildState is a build's state: a running build with a failed job says
// failing, as Buildkite's own state does.
func BuildState(b model.Build) Cell {
	return StateLabel(b.DisplayState(), b.Blocked)
}

// QueueState is a queue's state: running, or paused with how long ago,
// the note and by whom; pending, when set, is a pause or resume in
// flight ("pausing…").
func QueueState(now time.Time, q model.Queue, pending string) Cell {
	if pending != "" {
		return As(Pending, "◌ "+pending)
	}
	if !q.DispatchPaused {
		return As(Running, "● running")
	}
	// The note comes before who paused: in a narrow column, the reason is
	// what the on-call engineer needs to read.
	c := As(Paused, "‖ paused")
	if q.DispatchPausedAt != nil {
		c = c.And(Plain, " "+Ago(now, q.DispatchPausedAt.Time))
	}
	if note := model.Value(q.DispatchPausedNote); termsafe.Text(note) != "" {
		c = c.And(Muted, ": ").And(Plain, note)
	}
	if by := q.DispatchPausedBy.DisplayName(); termsafe.Text(by) != "" {
		c = c.And(Muted, " — "+by)
	}
	return c
}

// AgentState is an agent's state: paused (for how long), stopping, busy
// or idle.
func AgentState(now time.Time, a model.Agent) Cell {
	switch {
	case a.ConnectionState == model.AgentStopping:
		return As(Warning, "■ stopping")
	case a.Paused:
		// When it ends matters more than when it began (which :paused
		// and the agent's web page show) in a narrow column.
		c := As(Paused, "‖ paused")
		if until, ok := AgentPauseEnds(a); ok {
			return c.And(Muted, " · ends "+Until(now, until))
		}
		if a.PausedAt != nil {
			c = c.And(Plain, " "+Ago(now, a.PausedAt.Time))
		}
		return c
	case a.Busy():
		return As(Running, "● busy")
	case a.ConnectionState != model.AgentConnected:
		return As(Muted, a.ConnectionState)
	}
	return As(Muted, "○ idle")
}

// AgentPauseEnds is when an agent's pause times out and Buildkite
// resumes it: a pause that names no timeout ends after Buildkite's
// default (model.Agent.PausedUntil).
func AgentPauseEnds(a model.Agent) (time.Time, bool) { return a.PausedUntil() }

// PauseWho is who paused something, when and why, safe to draw: "Priya
// Nat, 5m ago: INC-4821".
func PauseWho(now time.Time, by *model.User, at *model.Timestamp, note string) string {
	s := termsafe.Text(by.DisplayName())
	if s == "" {
		s = "someone"
	}
	if at != nil && !at.IsZero() {
		s += ", " + Ago(now, at.Time)
	}
	if note = termsafe.Text(note); note != "" {
		s += ": " + note
	} else {
		s += " (no note)"
	}
	return s
}

// ShapeLabel describes a hosted queue's machines, or says self-hosted.
func ShapeLabel(q model.Queue) Cell {
	if !q.Hosted || q.HostedAgents == nil {
		return Text("self-hosted")
	}
	return Text(DescribeShape(q.HostedAgents.InstanceShape))
}

// DescribeShape is a shape in a few words, from what model.ShapeOf knows
// of it (the catalogue, or the shape's name as the API sent it).
func DescribeShape(s model.InstanceShape) string {
	info := model.ShapeOf(s)
	machine := map[string]string{model.MachineLinux: "Linux", model.MachineMacOS: "macOS"}[info.MachineType]
	if machine == "" {
		machine = termsafe.Text(info.MachineType)
	}
	text := machine
	if info.MachineType != model.MachineMacOS { // every Mac is Apple silicon
		text = strings.TrimSpace(text + " " + strings.ToUpper(termsafe.Text(info.Architecture)))
	}
	if info.CPU > 0 || info.Memory > 0 {
		text += fmt.Sprintf(" %d vCPU %d GB", info.CPU, info.Memory)
	}
	switch {
	case info.Deprecated:
		text += " (deprecated)"
	case info.Unknown || text == "":
		text += " " + termsafe.Text(info.Name)
	}
	return strings.TrimSpace(text)
}

// ScopeMissing is the scope a 403 says the token lacks ("a read" when it
// does not say), or "" for any other error.
func ScopeMissing(err error) string {
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		return ""
	}
	if apiErr.Scope != "" {
		return apiErr.Scope
	}
	return "a read"
}

// WithHelp is a binding with the same keys and another description.
func WithHelp(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

// JobLabel is what a job is called, with its emoji: its label, its
// name, or its command; its type when it has none of them.
func JobLabel(j model.Job) string {
	for _, s := range []*string{j.Label, j.Name, j.Command} {
		if v := termsafe.Text(Emojize(model.Value(s))); v != "" {
			return v
		}
	}
	return termsafe.Text(j.Type)
}

// JobLabelCell is JobLabel as a cell: a label of Buildkite's image-only
// shortcodes alone (":docker:") is muted (EmojiLabel).
func JobLabelCell(j model.Job) Cell {
	for _, s := range []*string{j.Label, j.Name, j.Command} {
		if c := EmojiLabel(Plain, termsafe.Text(model.Value(s))); c.String() != "" {
			return c
		}
	}
	return Text(termsafe.Text(j.Type))
}
