package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

// The probe's finding: `queue pause '*/*'` and `agent stop '*' --force`
// acted on every target with no question (11 queues, 45 agents
// force-stopped, exit 0). With no terminal to ask, a change that names
// several targets is refused unless --yes is given: exit 2, the targets
// listed, nothing sent and nothing in the audit log.
func TestSeveralTargetsWithNoTerminalNeedYes(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	agents := demoAgents(t, e)
	for _, args := range [][]string{
		{"queue", "pause", "*/*"},
		{"queue", "resume", "*/*"},
		{"queue", "pause", "Production/deploy", "Production/default"},
		{"agent", "stop", "*", "--force"},
		{"agent", "stop", agents[0].Name, agents[1].Name},
		{"agent", "pause", "*", "--note", "x"},
	} {
		r := e.run(t, args...)
		if r.code != ExitUsage || !strings.Contains(r.errOut, "needs --yes when there is no terminal to ask") ||
			!strings.Contains(r.errOut, "Nothing was changed") {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.out, r.errOut)
		}
		if len(e.Writes()) != 0 || len(e.auditEntries(t)) != 0 || r.out != "" {
			t.Fatalf("%v: refused, yet %d requests sent, %d audit lines, output %q", args, len(e.Writes()), len(e.auditEntries(t)), r.out)
		}
	}
	// The refusal names what would be touched: the queues to pause, not
	// the one already paused.
	r := e.run(t, "queue", "pause", "Mobile/*")
	if !strings.Contains(r.errOut, "name 3 queues") || !strings.Contains(r.errOut, "It would pause:\n  Mobile/default\n  Mobile/macos-large\n") ||
		strings.Contains(r.errOut, "Mobile/macos\n") {
		t.Fatalf("the refusal does not list what would be paused:\n%s", r.errOut)
	}
	// --dry-run and one target are not asked about.
	for _, args := range [][]string{{"queue", "pause", "*/*", "--dry-run"}, {"agent", "stop", "*", "--force", "--dry-run"}, {"queue", "pause", "Production/deploy"}} {
		if r := e.run(t, args...); r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.errOut)
		}
	}
	if w := e.Writes(); len(w) != 1 {
		t.Fatalf("%d requests, want the one pause of Production/deploy", len(w))
	}
	// --yes (or -y) goes ahead.
	if r := e.run(t, "queue", "pause", "*/*", "--yes", "--note", "INC-1"); r.code != 0 || strings.Count(r.out, "\tpaused\t") != 9 {
		t.Fatalf("--yes: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// A forced stop says what the API made of each agent: stopped.
	if r := e.run(t, "agent", "stop", "*", "--force", "-y"); r.code != 0 || !strings.Contains(r.out, "\tstopped") {
		t.Fatalf("-y: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// A script gets the same answer whatever the state: every queue is
	// paused now, and without --yes it is still refused.
	if r := e.run(t, "queue", "pause", "*/*"); r.code != ExitUsage || !strings.Contains(r.errOut, "Each is in the asked state already") {
		t.Fatalf("repeat without --yes: exit %d %s", r.code, r.errOut)
	}
}

// terminal is a pseudo-terminal a command runs on, as a person at a
// shell has it.
type terminal struct {
	t      *testing.T
	ptmx   *os.File
	screen syncBuffer
	ended  chan struct{}
}

// shown is what the terminal has shown, without carriage returns.
func (tm *terminal) shown() string { return strings.ReplaceAll(tm.screen.String(), "\r", "") }

func (tm *terminal) typeIn(s string) { _, _ = io.WriteString(tm.ptmx, s) }

// waitFor waits until the terminal has shown want: a minute at most
// while the command runs, ten seconds once it has ended (its last output
// on the way).
func (tm *terminal) waitFor(want string) {
	tm.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(tm.shown(), want) {
		select {
		case <-tm.ended:
			if soon := time.Now().Add(10 * time.Second); soon.Before(deadline) {
				deadline = soon
			}
		default:
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the terminal never showed %q:\n%s", want, tm.shown())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// terminalRun runs the command line with a terminal as its stdin and
// stderr; answer reads it and types into it while the command runs.
func (e *cliEnv) terminalRun(t *testing.T, ctx context.Context, answer func(*terminal), args ...string) (result, *terminal) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tty.Close()
		ptmx.Close()
	})
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 60, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, ptmx: ptmx, ended: make(chan struct{})}
	go func() { _, _ = io.Copy(&tm.screen, ptmx) }() // until ptmx is closed
	var out bytes.Buffer
	args = append(args, "--endpoint", e.Server.URL, "--org", e.Sandbox.Org(), "--audit-log", e.auditLog)
	r := result{}
	go func() {
		defer close(tm.ended)
		r.code = execute(ctx, args, tty, &out, tty, e.getenv)
	}()
	answer(tm)
	select {
	case <-tm.ended:
	case <-time.After(time.Minute):
		t.Fatalf("%v did not end after the answer:\n%s", args, tm.shown())
	}
	r.out = out.String()
	return r, tm
}

// On a terminal the person sees exactly what will be touched and is
// asked, the answer No unless they say yes: enter (the default) and
// Ctrl-C change nothing, y goes ahead.
func TestSeveralTargetsOnATerminalAreListedAndAskedAbout(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	var stoppable []string
	for _, a := range demoAgents(t, e) {
		if !agentAlready(a, "stop") {
			stoppable = append(stoppable, a.Name)
		}
	}
	question := fmt.Sprintf("Force-stop these %d agents?", len(stoppable))
	ctx := context.Background()
	r, tm := e.terminalRun(t, ctx, func(tm *terminal) {
		tm.waitFor(question + " [y/N]")
		tm.typeIn("\n") // enter: the default
	}, "agent", "stop", "*", "--force")
	tm.waitFor("not confirmed: nothing was changed")
	if r.code != ExitUsage {
		t.Fatalf("enter: exit %d\n%s", r.code, tm.shown())
	}
	if !strings.Contains(tm.shown(), fmt.Sprintf("This will force-stop %d agents:\n", len(stoppable))) || !strings.Contains(tm.shown(), "Their running jobs are canceled") {
		t.Fatalf("the list and the consequence are not said:\n%s", tm.shown())
	}
	for _, name := range stoppable {
		if !strings.Contains(tm.shown(), "\n  "+name+"\n") {
			t.Fatalf("%s is not listed:\n%s", name, tm.shown())
		}
	}
	interrupt, cancel := context.WithCancel(ctx)
	r, tm = e.terminalRun(t, interrupt, func(tm *terminal) {
		tm.waitFor("Pause these 10 queues? [y/N]")
		cancel() // Ctrl-C: the program's context ends (main's signal.NotifyContext)
	}, "queue", "pause", "*/*", "--note", "INC-2")
	tm.waitFor("interrupted")
	if r.code != exitInterrupted {
		t.Fatalf("Ctrl-C: exit %d\n%s", r.code, tm.shown())
	}
	if len(e.Writes()) != 0 || len(e.auditEntries(t)) != 0 {
		t.Fatalf("not confirmed, yet %d requests sent", len(e.Writes()))
	}
	r, tm = e.terminalRun(t, ctx, func(tm *terminal) {
		tm.waitFor("Pause these 10 queues? [y/N]")
		tm.typeIn("maybe\n") // asked again
		tm.waitFor("invalid input")
		tm.typeIn("y\n")
	}, "queue", "pause", "*/*", "--note", "INC-2")
	if r.code != 0 || strings.Count(r.out, "\tpaused\t") != 10 || !strings.Contains(tm.shown(), "This will pause 10 queues:\n") ||
		!strings.Contains(tm.shown(), "\n  Data Platform/default\n") || strings.Contains(tm.shown(), "  Mobile/macos\n") ||
		!strings.Contains(tm.shown(), "(1 more queue is already paused: left as it is.)") {
		t.Fatalf("y: exit %d\n%s\n%s", r.code, r.out, tm.shown())
	}
	clusters, err := e.Client.ListClusters(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters {
		qs, err := e.Client.ListQueues(context.Background(), c.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if !q.DispatchPaused {
				t.Errorf("%s/%s is not paused after y", c.Name, q.Key)
			}
		}
	}
}
