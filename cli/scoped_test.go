package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
)

// mixedToken has write_builds and write_agents and every read scope, but
// not write_clusters: Buildkite refuses its queue pauses and takes its
// agent pauses.
const mixedToken = "mixed=write_builds,write_agents,read_agents,read_teams,read_artifacts,read_builds,read_job_env," +
	"read_build_logs,read_organizations,read_pipelines,read_user,read_clusters,read_accounts"

func runDemo(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--demo", "--audit-log", filepath.Join(t.TempDir(), "audit.log"))
	code := Execute(context.Background(), args, &out, &errOut, noEnv)
	return result{code, out.String(), errOut.String()}
}

func TestADemoWithAMixedScopedTokenRefusesQueuePauseAndPausesAgents(t *testing.T) {
	r := runDemo(t, "queue", "pause", "Production/deploy", "--yes", "--scoped-token", mixedToken)
	if r.code != ExitRefused || !strings.Contains(r.out, "write_clusters") {
		t.Fatalf("queue pause: exit %d, want 3 naming write_clusters:\n%s\n%s", r.code, r.out, r.errOut)
	}
	r = runDemo(t, "agent", "list", "--json", "--scoped-token", mixedToken)
	if r.code != 0 {
		t.Fatalf("agent list: exit %d: %s", r.code, r.errOut)
	}
	var agents []model.Agent
	if err := json.Unmarshal([]byte(r.out), &agents); err != nil {
		t.Fatal(err)
	}
	name := ""
	for _, a := range agents {
		if !a.Paused && a.ConnectionState == model.AgentConnected {
			name = a.Name
			break
		}
	}
	if name == "" {
		t.Fatal("the demo has no running agent")
	}
	r = runDemo(t, "agent", "pause", name, "--note", "INC-1", "--scoped-token", mixedToken)
	if r.code != 0 || !strings.Contains(r.out, "paused") {
		t.Fatalf("agent pause %s with write_agents: exit %d:\n%s\n%s", name, r.code, r.out, r.errOut)
	}
	// The same queue pause with the demo's own token is done: the refusal
	// was the token's.
	if r := runDemo(t, "queue", "pause", "Production/deploy", "--yes"); r.code != 0 {
		t.Fatalf("queue pause with every scope: exit %d:\n%s\n%s", r.code, r.out, r.errOut)
	}
}

func TestABadScopedTokenIsAUsageError(t *testing.T) {
	for _, args := range [][]string{
		{"sandbox", "--listen", "127.0.0.1:0", "--scoped-token", "ci=write_everything!"},
		{"sandbox", "--listen", "127.0.0.1:0", "--scoped-token", "=read_agents"},
		{"sandbox", "--listen", "127.0.0.1:0", "--scoped-token", "ci=read_agents", "--scoped-token", "ci=write_agents"},
		{"sandbox", "--listen", "127.0.0.1:0", "--token", "tok", "--scoped-token", "tok=read_agents"},
		{"queue", "list", "--demo", "--scoped-token", "ci"},
		{"queue", "list", "--demo", "--scoped-token", "a=read_clusters", "--scoped-token", "b=read_agents"},
		// A real token has the scopes Buildkite gave it.
		{"queue", "list", "--org", "acme", "--scoped-token", "ci=read_clusters"},
	} {
		var errOut bytes.Buffer
		if code := Execute(context.Background(), args, &bytes.Buffer{}, &errOut, noEnv); code != ExitUsage || !strings.Contains(errOut.String(), "--scoped-token") ||
			strings.Contains(errOut.String(), "unknown flag") {
			t.Errorf("%v: exit %d, want 2 naming --scoped-token: %s", args, code, errOut.String())
		}
	}
}
