package present

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

var now = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) *model.Timestamp { return &model.Timestamp{Time: now.Add(d)} }

func str(s string) *string { return &s }

// A state is said in words and a role, never in a colour alone; what came
// from the API stays in its own span for the host to clean.
func TestStatesAreWordsWithRoles(t *testing.T) {
	five := 5
	cases := []struct {
		name string
		got  Cell
		want Cell
	}{
		{"running queue", QueueState(now, model.Queue{}, ""), As(Running, "● running")},
		{"pending pause", QueueState(now, model.Queue{}, "pausing…"), As(Pending, "◌ pausing…")},
		{"paused queue with note and who", QueueState(now, model.Queue{DispatchPaused: true, DispatchPausedAt: at(-5 * time.Minute),
			DispatchPausedNote: str("INC-1\x1b[31m"), DispatchPausedBy: &model.User{Name: "Priya"}}, ""),
			As(Paused, "‖ paused").And(Plain, " 5m ago").And(Muted, ": ").And(Plain, "INC-1\x1b[31m").And(Muted, " — Priya")},
		{"paused queue, a note of escapes only is no note", QueueState(now, model.Queue{DispatchPaused: true, DispatchPausedNote: str("\x1b[2J")}, ""),
			As(Paused, "‖ paused")},
		{"stopping agent", AgentState(now, model.Agent{ConnectionState: model.AgentStopping}), As(Warning, "■ stopping")},
		{"paused agent with a timeout", AgentState(now, model.Agent{ConnectionState: model.AgentConnected, Paused: true,
			PausedAt: at(-time.Minute), PausedTimeoutInMinutes: &five}), As(Paused, "‖ paused").And(Muted, " · ends in 4m")},
		{"idle agent", AgentState(now, model.Agent{ConnectionState: model.AgentConnected}), As(Muted, "○ idle")},
		{"blocked build", StateLabel(model.BuildPassed, true), As(Paused, "⏸ blocked")},
		{"failed job", StateLabel(model.JobTimedOut, false), As(Danger, "✗ timed out")},
		{"unknown state", StateLabel("limbo", false), As(Muted, "· limbo")},
		{"failing build", BuildState(model.Build{State: model.BuildRunning, FailingAt: at(-time.Second)}), As(Danger, "✗ failing")},
		{"self-hosted queue", ShapeLabel(model.Queue{}), Text("self-hosted")},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestPauseWhoIsSafeAndSaysTheMissing(t *testing.T) {
	cases := []struct {
		by   *model.User
		at   *model.Timestamp
		note string
		want string
	}{
		{&model.User{Name: "Priya\u202E"}, at(-2 * time.Hour), "INC-4821", "Priya, 2h ago: INC-4821"},
		{nil, nil, "", "someone (no note)"},
		{&model.User{Name: "\x1b]52;c;aGk=\x07"}, nil, "\x1b[2J", "someone (no note)"},
	}
	for _, c := range cases {
		if got := PauseWho(now, c.by, c.at, c.note); got != c.want {
			t.Errorf("PauseWho(%v, %q) = %q, want %q", c.by, c.note, got, c.want)
		}
	}
}

func TestScopeMissingNamesTheScopeOfA403Only(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&api.Error{StatusCode: http.StatusForbidden, Scope: "read_agents"}, "read_agents"},
		{fmt.Errorf("listing: %w", &api.Error{StatusCode: http.StatusForbidden}), "a read"},
		{&api.Error{StatusCode: http.StatusNotFound, Scope: "read_agents"}, ""},
		{nil, ""},
	}
	for _, c := range cases {
		if got := ScopeMissing(c.err); got != c.want {
			t.Errorf("ScopeMissing(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestDurationAndJobLabel(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "—", 42 * time.Second: "42s", 4*time.Minute + 12*time.Second: "4m12s", 3*time.Hour + 5*time.Minute: "3h05m"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
	cases := []struct {
		job  model.Job
		want string
	}{
		{model.Job{Label: str(":rocket: ship"), Name: str("n")}, "🚀 ship"},
		{model.Job{Label: str("\x1b[2J"), Name: str("build")}, "build"},
		{model.Job{Type: "waiter"}, "waiter"},
	}
	for _, c := range cases {
		if got := JobLabel(c.job); got != c.want {
			t.Errorf("JobLabel = %q, want %q", got, c.want)
		}
	}
}
