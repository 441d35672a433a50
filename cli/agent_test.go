package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
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
