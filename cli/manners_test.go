package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
)

// A pause that is someone else's says whose it is and why, in the line
// and in --json, for queues and agents alike; an agent's says until when.
func TestAlreadyPausedSaysWhoAndWhy(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "pause", "Mobile/macos", "--json")
	var queues []change
	if r.code != 0 || json.Unmarshal([]byte(r.out), &queues) != nil || len(queues) != 1 {
		t.Fatalf("exit %d %s %s", r.code, r.out, r.errOut)
	}
	if q := queues[0]; q.Result != "already paused" || !strings.Contains(q.Message, "paused by Priya Natarajan") || !strings.Contains(q.Message, "INC-4821") {
		t.Errorf("queue: %q %q", q.Result, q.Message)
	}
	var paused model.Agent
	for _, a := range demoAgents(t, e) {
		if a.Paused && a.PausedBy != nil && model.Value(a.PausedNote) != "" {
			paused = a
		}
	}
	if paused.ID == "" {
		t.Fatal("the demo has no agent paused with a note")
	}
	r = e.run(t, "agent", "pause", paused.ID, "--json")
	var agents []agentChange
	if r.code != 0 || json.Unmarshal([]byte(r.out), &agents) != nil || len(agents) != 1 {
		t.Fatalf("exit %d %s %s", r.code, r.out, r.errOut)
	}
	a := agents[0]
	if a.Result != "already paused" || !strings.Contains(a.Message, "paused by "+paused.PausedBy.DisplayName()) ||
		!strings.Contains(a.Message, model.Value(paused.PausedNote)) || a.PausedUntil == nil || !strings.Contains(a.Message, "until "+a.PausedUntil.Format(time.RFC3339)) {
		t.Errorf("agent: %q %q until %v", a.Result, a.Message, a.PausedUntil)
	}
	if len(e.Writes()) != 0 {
		t.Fatalf("a repeat sent %d requests", len(e.Writes()))
	}
}

// A forced stop's dry run names the job and the build it would cancel,
// and where each agent is; a graceful one says it waits for the job.
func TestAgentStopDryRunNamesTheJobBuildAndQueue(t *testing.T) {
	e := startLiveCLI(t)
	var busy model.Agent
	for _, a := range demoAgents(t, e) {
		if a.Busy() && a.ConnectionState == model.AgentConnected {
			busy = a
			break
		}
	}
	if busy.ID == "" {
		t.Fatal("no busy agent in the simulation")
	}
	slug, number, ok := busy.Job.BuildRef()
	if !ok {
		t.Fatalf("the job names no build: %q", busy.Job.BuildURL)
	}
	queueID := agentQueueID(busy)
	var cluster model.Cluster
	var queue model.Queue
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
			if q.ID == queueID {
				cluster, queue = c, q
			}
		}
	}
	r := e.run(t, "agent", "stop", busy.ID, "--force", "--dry-run", "--json")
	var res []agentChange
	if r.code != 0 || json.Unmarshal([]byte(r.out), &res) != nil || len(res) != 1 {
		t.Fatalf("exit %d %s %s", r.code, r.out, r.errOut)
	}
	got := res[0]
	if got.WouldCancel == nil || got.WouldCancel.ID != busy.Job.ID || got.WouldCancel.Pipeline != slug || got.WouldCancel.BuildNumber != number {
		t.Errorf("would cancel %+v, want job %s of %s #%d", got.WouldCancel, busy.Job.ID, slug, number)
	}
	if got.Queue == nil || got.Queue.ID != queue.ID || got.Queue.Key != queue.Key || got.Queue.Cluster.Name != cluster.Name {
		t.Errorf("queue %+v, want %s/%s", got.Queue, cluster.Name, queue.Key)
	}
	r = e.run(t, "agent", "stop", busy.Name, "--force", "--dry-run")
	build := slug + " #" + itoa(number)
	if !strings.Contains(r.out, "queue "+cluster.Name+"/"+queue.Key) || !strings.Contains(r.out, "cancels job") ||
		!strings.Contains(r.out, busy.Job.ID) || !strings.Contains(r.out, build) {
		t.Errorf("the line does not name the job, the build %s and the queue:\n%s", build, r.out)
	}
	r = e.run(t, "agent", "stop", busy.Name, "--dry-run")
	if !strings.Contains(r.out, "stops after job") || strings.Contains(r.out, "cancels") {
		t.Errorf("a graceful stop's dry run:\n%s", r.out)
	}
	if len(e.Writes()) != 0 {
		t.Fatalf("a dry run sent %d requests", len(e.Writes()))
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// --timeout takes days, as the console does; the pause's end follows
// from its timeout, Buildkite's default of 5 minutes when none is given.
func TestAgentPauseTimeoutTakesDaysAndSaysUntilWhen(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	var idle []model.Agent
	for _, a := range demoAgents(t, e) {
		if !a.Paused && a.ConnectionState == model.AgentConnected {
			idle = append(idle, a)
		}
	}
	for i, c := range []struct {
		timeout string
		minutes int
		words   string
	}{{"7d", 7 * 24 * 60, "for 7 days"}, {"1d12h", 36 * 60, "for 36 hours"}, {"", 0, "for 5 minutes (Buildkite's default)"}} {
		args := []string{"agent", "pause", idle[i].ID, "--json"}
		if c.timeout != "" {
			args = append(args, "--timeout", c.timeout)
		}
		r := e.run(t, args...)
		var res []agentChange
		if r.code != 0 || json.Unmarshal([]byte(r.out), &res) != nil || len(res) != 1 {
			t.Fatalf("--timeout %q: exit %d %s %s", c.timeout, r.code, r.out, r.errOut)
		}
		got := res[0]
		if model.Value(got.Agent.PausedTimeoutInMinutes) != c.minutes && c.minutes != 0 {
			t.Errorf("--timeout %q: sent %v minutes, want %d", c.timeout, got.Agent.PausedTimeoutInMinutes, c.minutes)
		}
		minutes := c.minutes
		if minutes == 0 {
			minutes = 5
		}
		if got.PausedUntil == nil || got.Agent.PausedAt == nil || !got.PausedUntil.Equal(got.Agent.PausedAt.Add(time.Duration(minutes)*time.Minute)) {
			t.Errorf("--timeout %q: paused until %v, paused at %v", c.timeout, got.PausedUntil, got.Agent.PausedAt)
		}
		if !strings.Contains(got.Message, c.words+", until "+got.PausedUntil.Format(time.RFC3339)) {
			t.Errorf("--timeout %q: message %q", c.timeout, got.Message)
		}
	}
	if h := help(t, "agent", "pause"); !strings.Contains(h, "2d") || !strings.Contains(h, "5 minutes (Buildkite's default)") || strings.Contains(h, "until resumed") {
		t.Errorf("agent pause --help:\n%s", h)
	}
}

// Each flag has one meaning: --timeout is a pause's, --request-timeout
// one request's limit (--timeout still reads as that where it cannot be
// a pause's, said on stderr); zero, negative and nonsense are refused
// with the flag named, exit 2, before anything is sent.
func TestTimeoutsHaveOneMeaningAndZeroIsRefused(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	if h := help(t, "queue", "list"); !strings.Contains(h, "--request-timeout") || strings.Contains(h, "--timeout ") {
		t.Errorf("queue list --help:\n%s", h)
	}
	if h := help(t, "agent", "pause"); !strings.Contains(h, "--request-timeout") || !strings.Contains(h, "--timeout ") {
		t.Errorf("agent pause --help:\n%s", h)
	}
	r := e.run(t, "queue", "list", "--timeout", "5s")
	if r.code != 0 || len(tsv(r.out)) != 11 || !strings.Contains(r.errOut, "--request-timeout") {
		t.Errorf("the old --timeout: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	agent := demoAgents(t, e)[0].ID
	before := len(e.Sandbox.Requests())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"queue", "list", "--parallel", "0"}, "--parallel must be 1 or more"},
		{[]string{"agent", "list", "--parallel", "500"}, "--parallel must be 32 or less (it is 500)"},
		{[]string{"queue", "list", "--request-timeout", "0s"}, "--request-timeout must be more than 0"},
		{[]string{"summary", "--request-timeout", "-1s"}, "--request-timeout must be more than 0"},
		{[]string{"queue", "list", "--timeout", "0s"}, "--timeout must be more than 0"},
		{[]string{"agent", "pause", agent, "--timeout", "0s"}, "--timeout must be more than 0"},
		{[]string{"agent", "pause", agent, "--timeout", "-2h"}, "--timeout must be more than 0"},
		{[]string{"agent", "pause", agent, "--timeout", "-1d"}, "--timeout must be more than 0"},
		{[]string{"agent", "pause", agent, "--timeout", "2w"}, "use 30m, 4h, 2d"},
		{[]string{"agent", "pause", agent, "--timeout", "8d"}, "7 days"},
		{[]string{"serve", "--demo", "--idle-timeout", "0s"}, "--idle-timeout must be more than 0"},
		// On an agent's change --timeout is never the request's limit.
		{[]string{"agent", "stop", agent, "--timeout", "5s"}, "unknown flag: --timeout"},
	} {
		r := e.run(t, c.args...)
		if r.code != ExitUsage || !strings.Contains(r.errOut, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, r.code, r.errOut)
		}
	}
	if n := len(e.Sandbox.Requests()) - before; n != 0 {
		t.Errorf("refused flags sent %d requests", n)
	}
	var errOut strings.Builder
	if code := Execute(context.Background(), []string{"sandbox", "--listen", "127.0.0.1:0", "--latency", "-5ms"}, &errOut, &errOut, noEnv); code != ExitUsage ||
		!strings.Contains(errOut.String(), "--latency must be 0 or more") {
		t.Errorf("sandbox --latency -5ms: exit %d, %q", code, errOut.String())
	}
}

// A read that names nothing says so without "nothing was changed" (it
// changes nothing ever); a change still says it.
func TestAnUnknownNameInAReadSaysNothingOfChanges(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	for _, args := range [][]string{{"queue", "list", "--cluster", "nosuch"}, {"queue", "show", "nosuch/x"}, {"agent", "list", "--queue", "Mobile/nope"}} {
		r := e.run(t, args...)
		if r.code != ExitUsage || !strings.Contains(r.errOut, " matches ") || strings.Contains(r.errOut, "changed") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.errOut)
		}
	}
	for _, args := range [][]string{{"queue", "pause", "nosuch/x"}, {"queue", "resume", "default"}, {"agent", "stop", "no-such-agent"}} {
		r := e.run(t, args...)
		if r.code != ExitUsage || !strings.Contains(r.errOut, "; nothing was changed.") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.errOut)
		}
	}
}

// "canceled", as Buildkite's API spells it (a job's and a build's state),
// in every text of the command line.
func TestTheCommandLineSpellsCanceledAsTheAPIDoes(t *testing.T) {
	var page strings.Builder
	if code := Execute(context.Background(), []string{"man"}, &page, &page, noEnv); code != 0 {
		t.Fatal(page.String())
	}
	text := page.String() + help(t, "agent", "stop")
	if strings.Contains(strings.ToLower(text), "cancelled") || !strings.Contains(text, "cancel") {
		t.Errorf("the texts spell it %q", "cancelled")
	}
	e := startCLI(t, sandbox.SizeDemo, nil)
	r, tm := e.terminalRun(t, context.Background(), func(tm *terminal) {
		tm.waitFor("[y/N]")
		tm.typeIn("\n")
	}, "agent", "stop", "*", "--force")
	if r.code != ExitUsage || !strings.Contains(tm.shown(), "Their running jobs are canceled") {
		t.Errorf("the question: exit %d\n%s", r.code, tm.shown())
	}
}
