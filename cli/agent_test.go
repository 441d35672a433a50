package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// demoAgents are the demo organisation's agents as the API lists them.
func demoAgents(t *testing.T, e *cliEnv) []model.Agent {
	t.Helper()
	as, err := e.Client.ListAgents(context.Background(), model.AgentListFilter{}, nil)
	if err != nil || len(as) < 3 {
		t.Fatalf("%d agents: %v", len(as), err)
	}
	return as
}

func TestAgentListByQueueAndJSON(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "agent", "list", "--queue", "Mobile/macos", "--json")
	var agents []model.Agent
	if r.code != 0 || json.Unmarshal([]byte(r.out), &agents) != nil || len(agents) == 0 {
		t.Fatalf("exit %d %s %s", r.code, r.out, r.errOut)
	}
	refs, err := newNames(e.Client).Queues(context.Background(), []string{"Mobile/macos"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.Client.ListAgents(context.Background(), model.AgentListFilter{ClusterQueueID: refs[0].Queue.ID}, nil)
	if err != nil || len(want) != len(agents) {
		t.Fatalf("%d agents listed, the queue has %d (%v)", len(agents), len(want), err)
	}
	var raw []map[string]any
	_ = json.Unmarshal([]byte(r.out), &raw)
	for _, field := range []string{"id", "name", "connection_state", "hostname", "paused"} {
		if _, ok := raw[0][field]; !ok {
			t.Errorf("no %q in the JSON", field)
		}
	}
	all := e.run(t, "agent", "list")
	if all.code != 0 || len(tsv(all.out)) != len(demoAgents(t, e)) {
		t.Fatalf("all agents: exit %d, %d rows", all.code, len(tsv(all.out)))
	}
	// Several clusters have a queue keyed "default": listed by queue,
	// the QUEUE column says which cluster's.
	byQueue := e.run(t, "agent", "list", "--queue", "*/default")
	clusters := map[string]bool{}
	for _, row := range tsv(byQueue.out) {
		cluster, key, ok := strings.Cut(row[2], "/")
		if !ok || key != "default" {
			t.Fatalf("QUEUE %q, want CLUSTER/default", row[2])
		}
		clusters[cluster] = true
	}
	if byQueue.code != 0 || len(clusters) < 2 {
		t.Fatalf("exit %d, agents of %d clusters' default queues:\n%s", byQueue.code, len(clusters), byQueue.out)
	}
	if r := e.run(t, "agent", "list", "--queue", "Mobile/nope"); r.code != ExitUsage {
		t.Fatalf("unknown queue: exit %d", r.code)
	}
}

func TestAgentPauseResumeStopByNameAndIDRepeatSafely(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	var running model.Agent
	for _, a := range demoAgents(t, e) {
		if !a.Paused && a.ConnectionState == model.AgentConnected {
			running = a
			break
		}
	}
	r := e.run(t, "agent", "pause", strings.ToUpper(running.Name), "--note", "INC-7", "--timeout", "2h", "--json")
	var res []agentChange
	if r.code != 0 || json.Unmarshal([]byte(r.out), &res) != nil || len(res) != 1 {
		t.Fatalf("pause: exit %d %s %s", r.code, r.out, r.errOut)
	}
	if res[0].Result != "paused" || !res[0].Agent.Paused || model.Value(res[0].Agent.PausedNote) != "INC-7" ||
		model.Value(res[0].Agent.PausedTimeoutInMinutes) != 120 {
		t.Fatalf("pause result %+v", res[0])
	}
	entries := e.auditEntries(t)
	if len(entries) != 1 || entries[0].Action != "agent.pause" || entries[0].Via != "cli" || entries[0].Target.AgentID != running.ID || entries[0].Result != "ok" || entries[0].Note != "INC-7" {
		t.Fatalf("audit %+v", entries)
	}
	writes := len(e.Writes())
	if r := e.run(t, "agent", "pause", running.ID); r.code != 0 || !strings.Contains(r.out, "already paused") || len(e.Writes()) != writes {
		t.Fatalf("pause again: exit %d %s", r.code, r.out)
	}
	if r := e.run(t, "agent", "resume", running.Name); r.code != 0 || !strings.Contains(r.out, "\tresumed") {
		t.Fatalf("resume: exit %d %s %s", r.code, r.out, r.errOut)
	}
	if r := e.run(t, "agent", "resume", running.Name); r.code != 0 || !strings.Contains(r.out, "already running") {
		t.Fatalf("resume again: exit %d %s", r.code, r.out)
	}
	if r := e.run(t, "agent", "stop", running.Name, "--dry-run", "--force"); r.code != 0 || !strings.Contains(r.out, "would stop (force)") {
		t.Fatalf("stop dry run: exit %d %s", r.code, r.out)
	}
	writes = len(e.Writes())
	if r := e.run(t, "agent", "stop", running.Name); r.code != 0 || !strings.Contains(r.out, "\tstopping") {
		t.Fatalf("stop: exit %d %s %s", r.code, r.out, r.errOut)
	}
	if got := len(e.Writes()); got != writes+1 {
		t.Fatalf("stop sent %d requests", got-writes)
	}
	if r := e.run(t, "agent", "stop", running.ID); r.code != 0 || !strings.Contains(r.out, "already stopping") {
		t.Fatalf("stop again: exit %d %s %s", r.code, r.out, r.errOut)
	}
}

func TestAgentNamesGlobsAndRefusals(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	agents := demoAgents(t, e)
	if r := e.run(t, "agent", "pause", "no-such-agent"); r.code != ExitUsage || !strings.Contains(r.errOut, "no agent matches") {
		t.Fatalf("unknown: exit %d %s", r.code, r.errOut)
	}
	r := e.run(t, "agent", "pause", "hosted-*", "--dry-run")
	hosted := 0
	for _, a := range agents {
		if strings.HasPrefix(a.Name, "hosted-") && !a.Paused {
			hosted++
		}
	}
	if r.code != 0 || strings.Count(r.out, "would pause") != hosted || hosted == 0 {
		t.Fatalf("glob: exit %d, %d hosted\n%s", r.code, hosted, r.out)
	}
	if r := e.run(t, "agent", "pause", "hosted-*", "--read-only"); r.code != ExitRefused || len(e.Writes()) != 0 {
		t.Fatalf("read-only: exit %d, %d writes", r.code, len(e.Writes()))
	}
	e.token = sandbox.DefaultReadOnlyToken
	if r := e.run(t, "agent", "stop", agents[0].Name); r.code != ExitRefused || !strings.Contains(r.out, "write_agents") {
		t.Fatalf("scope: exit %d %s", r.code, r.out)
	}
	if r := e.run(t, "agent", "pause", agents[0].Name, "--timeout", "30s"); r.code != ExitUsage {
		t.Fatalf("a 30s timeout: exit %d", r.code)
	}
}

func TestAnAgentPauseOrResumeThatLosesARaceCountsAsDone(t *testing.T) {
	// Between the list and the change someone else paused (or resumed)
	// the agent: the API answers 422, and the agent is in the asked state.
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			msg := map[string]string{"pause": "Agent is already paused", "resume": "Agent is not paused"}[path.Base(r.URL.Path)]
			if r.Method == http.MethodPut && msg != "" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = w.Write([]byte(`{"message":"` + msg + `"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	agents, err := e.Client.ListAgents(context.Background(), model.AgentListFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var running, paused model.Agent
	for _, a := range agents {
		if a.ConnectionState == model.AgentConnected && a.Paused {
			paused = a
		} else if a.ConnectionState == model.AgentConnected {
			running = a
		}
	}
	if r := e.run(t, "agent", "pause", running.ID); r.code != 0 || !strings.Contains(r.out, "\talready paused") {
		t.Fatalf("pause: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if r := e.run(t, "agent", "resume", paused.ID); r.code != 0 || !strings.Contains(r.out, "\talready running") {
		t.Fatalf("resume: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

// In a large organisation (3,000 agents, 31 pages) naming one agent by
// id or by name costs one request to find it, not the whole list; a
// glob, or a name in another case, still reads the list.
func TestNamingOneAgentDoesNotListThemAll(t *testing.T) {
	e := startCLI(t, sandbox.SizeLarge, nil)
	var first model.Agent
	if _, err := e.Client.ListAgents(context.Background(), model.AgentListFilter{}, func(p api.Page[model.Agent]) error {
		if p.Last < 10 {
			t.Fatalf("%d pages of agents: too few to tell", p.Last)
		}
		first = p.Items[0]
		return errFirstPage
	}); err != nil && !errors.Is(err, errFirstPage) {
		t.Fatal(err)
	}
	for _, arg := range []string{first.ID, first.Name} {
		before := len(e.Sandbox.Requests())
		r := e.run(t, "agent", "stop", arg, "--dry-run")
		if r.code != 0 || !strings.Contains(r.out, first.Name+"\twould stop") {
			t.Fatalf("%s: exit %d\n%s%s", arg, r.code, r.out, r.errOut)
		}
		// One to find it; a stop's dry run then names its queue with two
		// more (the clusters, and its cluster's queues), however many
		// agents there are.
		if n := len(e.Sandbox.Requests()) - before; n != 1+2 {
			t.Errorf("%s: %d requests to find one agent and name its queue, want 1+2", arg, n)
		}
	}
	before := len(e.Sandbox.Requests())
	if r := e.run(t, "agent", "stop", strings.ToUpper(first.Name), "--dry-run"); r.code != 0 {
		t.Fatalf("any case: exit %d %s", r.code, r.errOut)
	}
	if n := len(e.Sandbox.Requests()) - before; n < 10 {
		t.Errorf("a name in another case took %d requests: was the list read?", n)
	}
}

func TestAnAgentResumeSaysWhosePauseItLifted(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	var paused model.Agent
	for _, a := range demoAgents(t, e) {
		if a.Paused {
			paused = a
		}
	}
	if paused.ID == "" || paused.PausedBy == nil || model.Value(paused.PausedNote) == "" {
		t.Fatalf("the demo has no agent paused by someone with a note")
	}
	want := "paused by " + paused.PausedBy.DisplayName()
	r := e.run(t, "agent", "resume", paused.Name, "--dry-run")
	if r.code != 0 || !strings.Contains(r.out, "\twould resume\t"+want) || !strings.Contains(r.out, model.Value(paused.PausedNote)) {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.out)
	}
	r = e.run(t, "agent", "resume", paused.Name, "--json")
	var res []agentChange
	if r.code != 0 || json.Unmarshal([]byte(r.out), &res) != nil || len(res) != 1 {
		t.Fatalf("exit %d %s %s", r.code, r.out, r.errOut)
	}
	if res[0].Result != "resumed" || res[0].Agent.Paused || !strings.HasPrefix(res[0].Message, "was "+want) {
		t.Fatalf("result %+v", res[0])
	}
}

// A graceful stop says "stopping" (the agent finishes its job first); a
// forced one says what the API made of the agent: in the sandbox, as on
// Buildkite once the agent has heard, "stopped".
func TestAgentStopSaysWhatTheAPIDid(t *testing.T) {
	clock := sandboxtest.NewClock()
	e := startCLIWith(t, sandbox.Options{Size: sandbox.SizeDemo, Now: clock.Now}, nil)
	var busy []model.Agent
	// The clock stands still once two agents are busy, so they still are
	// when they are stopped.
	for i := 0; i < 60; i++ {
		busy = busy[:0]
		for _, a := range e.Sandbox.Agents() {
			if a.Busy() && a.ConnectionState == model.AgentConnected {
				busy = append(busy, a)
			}
		}
		if len(busy) >= 2 {
			break
		}
		clock.Add(10 * time.Second)
	}
	if len(busy) < 2 {
		t.Fatalf("the demo has %d busy agents, want 2", len(busy))
	}
	r := e.run(t, "agent", "stop", busy[0].ID)
	if r.code != 0 || !strings.Contains(r.out, busy[0].Name+"\tstopping") {
		t.Fatalf("graceful stop: exit %d %s %s", r.code, r.out, r.errOut)
	}
	if a, err := e.Client.GetAgent(context.Background(), busy[0].ID); err != nil || a.ConnectionState != model.AgentStopping {
		t.Fatalf("after a graceful stop the agent is %s (%v)", a.ConnectionState, err)
	}
	r = e.run(t, "agent", "stop", busy[1].ID, "--force", "--json")
	var got []agentChange
	if r.code != 0 || json.Unmarshal([]byte(r.out), &got) != nil || len(got) != 1 {
		t.Fatalf("forced stop: exit %d %s %s", r.code, r.out, r.errOut)
	}
	if got[0].Result != "stopped" || got[0].Agent.ConnectionState != model.AgentStopped {
		t.Fatalf("a forced stop says %q, the agent is %s", got[0].Result, got[0].Agent.ConnectionState)
	}
}

// A stop that was done but whose agent cannot be read back is not a
// failure: it says the stop was sent (exit 0), and why no state is known.
func TestAForcedStopNotReadBackIsNotAFailure(t *testing.T) {
	var stopped atomic.Bool
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/stop") {
				stopped.Store(true)
			} else if stopped.Load() && r.Method == http.MethodGet {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(`{"message":"Bad Gateway"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	var idle model.Agent
	for _, a := range demoAgents(t, e) {
		if !a.Busy() && a.ConnectionState == model.AgentConnected {
			idle = a
			break
		}
	}
	r := e.run(t, "agent", "stop", idle.ID, "--force")
	if r.code != 0 || !strings.Contains(r.out, idle.Name+"\tstop sent\tBad Gateway") {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.out, r.errOut)
	}
	for _, a := range e.Sandbox.Agents() {
		if a.ID == idle.ID && a.ConnectionState != model.AgentStopped {
			t.Fatalf("the agent is %s", a.ConnectionState)
		}
	}
}

// A server that ignores cluster_queue_id hands over every agent: `agent
// list --queue` lists only the queue's, and says on stderr how many it
// left out and why.
func TestAgentListByQueueLeavesOutOtherQueuesAgentsAndSaysSo(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/agents") {
				q := r.URL.Query()
				q.Del("cluster_queue_id")
				r.URL.RawQuery = q.Encode()
			}
			h.ServeHTTP(w, r)
		})
	})
	refs, err := newNames(e.Client).Queues(context.Background(), []string{"Mobile/macos"})
	if err != nil {
		t.Fatal(err)
	}
	all := demoAgents(t, e)
	mine := 0
	for _, a := range all {
		if q, _ := a.ClusterQueueID(); q == refs[0].Queue.ID {
			mine++
		}
	}
	if mine == 0 || mine == len(all) {
		t.Fatalf("%d of %d agents are Mobile/macos's", mine, len(all))
	}
	r := e.run(t, "agent", "list", "--queue", "Mobile/macos")
	if r.code != 0 || len(tsv(r.out)) != mine {
		t.Fatalf("exit %d, %d rows, want the queue's %d:\n%s\n%s", r.code, len(tsv(r.out)), mine, r.out, r.errOut)
	}
	want := fmt.Sprintf("Mobile/macos: %d agents left out: agent ", len(all)-mine)
	if !strings.Contains(r.errOut, want) || !strings.Contains(r.errOut, "is registered to queue") {
		t.Fatalf("stderr %q, want %q…", r.errOut, want)
	}
	// The queue's counts are of its own agents too.
	r = e.run(t, "queue", "show", "Mobile/macos", "--json")
	var queues []queueJSON
	if r.code != 0 || json.Unmarshal([]byte(r.out), &queues) != nil || len(queues) != 1 || queues[0].Counts == nil {
		t.Fatalf("queue show: exit %d %s %s", r.code, r.out, r.errOut)
	}
	if got := queues[0].Counts.AgentsConnected; got != mine {
		t.Fatalf("queue show counts %d agents connected, the queue has %d", got, mine)
	}
}

// `agent list --json` encodes each page as it arrives: what it prints is
// what the whole list's JSON was, byte for byte, over 30 pages fetched in
// parallel. An agent that cannot be read is left out and said on stderr,
// after the list, as before.
func TestAgentListJSONIsTheWholeListsJSON(t *testing.T) {
	e := startCLI(t, sandbox.SizeLarge, nil)
	r := e.run(t, "agent", "list", "--json")
	agents, err := e.Client.ListAgents(context.Background(), model.AgentListFilter{}, nil)
	if err != nil || r.code != 0 {
		t.Fatalf("exit %d, %s; %v", r.code, r.errOut, err)
	}
	var want bytes.Buffer
	if err := (output{w: &want, json: true}).writeJSON(agents); err != nil {
		t.Fatal(err)
	}
	if r.out != want.String() || len(agents) < 2000 {
		t.Fatalf("%d bytes printed, %d in the whole list's JSON of %d agents", len(r.out), want.Len(), len(agents))
	}

	// One agent of the second page is unreadable (its name a number).
	odd := startCLI(t, sandbox.SizeLarge, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("page") != "2" {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			maps.Copy(w.Header(), rec.Header())
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(regexp.MustCompile(`"name":"[^"]*"`).ReplaceAll(rec.Body.Bytes(), []byte(`"name":7`)))
		})
	})
	r = odd.run(t, "agent", "list", "--json")
	var listed []json.RawMessage
	if r.code != 0 || json.Unmarshal([]byte(r.out), &listed) != nil || len(listed) != len(agents)-100 ||
		!strings.Contains(r.errOut, "100 agents left out: item 1 of page 2") {
		t.Fatalf("exit %d, %d agents listed of %d, stderr %q", r.code, len(listed), len(agents), r.errOut)
	}
}

// A command lists with commandParallel pages in flight at once, unless
// --parallel says otherwise: the first pages after page 1 are held until
// that many have arrived together. (The hold's bound only turns a client
// that sends fewer into a failure instead of a hang.)
func TestAgentListFetchesACommandsPagesAtOnce(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, commandParallel}, {[]string{"--parallel", "3"}, 3}} {
		var mu sync.Mutex
		inFlight, most, released := 0, 0, false
		all := make(chan struct{})
		e := startCLI(t, sandbox.SizeLarge, func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/agents") || r.URL.Query().Get("page") == "" {
					h.ServeHTTP(w, r)
					return
				}
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				if inFlight == tc.want && !released {
					released = true
					close(all)
				}
				wait := !released
				mu.Unlock()
				if wait {
					select {
					case <-all:
					case <-time.After(20 * time.Second):
					}
				}
				h.ServeHTTP(w, r)
				mu.Lock()
				inFlight--
				mu.Unlock()
			})
		})
		r := e.run(t, append([]string{"agent", "list", "--json"}, tc.args...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", tc.args, r.code, r.errOut)
		}
		if most != tc.want {
			t.Fatalf("%v: %d pages were in flight at once, want %d", tc.args, most, tc.want)
		}
	}
}
