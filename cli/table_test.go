package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// startLiveCLI is startCLI on the sandbox's live simulation (builds,
// waiting and running jobs), its clock standing still.
func startLiveCLI(t *testing.T) *cliEnv {
	t.Helper()
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo, Now: clock.Now}, nil)
	dir := t.TempDir()
	return &cliEnv{Env: env, token: env.Sandbox.Token(), dir: dir, auditLog: filepath.Join(dir, "audit.log")}
}

// ttyRun runs the command line with its stdout a terminal cols wide, as
// a person sees it, and returns what the terminal was sent. columns, when
// not empty, is $COLUMNS.
func (e *cliEnv) ttyRun(t *testing.T, cols uint16, columns string, args ...string) result {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	var shown bytes.Buffer
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&shown, ptmx) // until the terminal's other end is closed
		close(copied)
	}()
	var errOut bytes.Buffer
	args = append(args, "--endpoint", e.Server.URL, "--org", e.Sandbox.Org(), "--audit-log", e.auditLog)
	getenv := func(k string) string {
		if k == "COLUMNS" {
			return columns
		}
		return e.getenv(k)
	}
	code := execute(context.Background(), args, strings.NewReader(""), tty, &errOut, getenv)
	tty.Close()
	select {
	case <-copied:
	case <-time.After(time.Minute):
		t.Fatal("the terminal's output never ended")
	}
	return result{code: code, out: strings.ReplaceAll(shown.String(), "\r\n", "\n"), errOut: errOut.String()}
}

// widest is the width of out's widest line, and its lines.
func widest(out string) (int, []string) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	w := 0
	for _, l := range lines {
		w = max(w, ansi.StringWidth(l))
	}
	return w, lines
}

// At 80 columns every queue is one line (the ID, when and where it runs
// and who paused it give way, the note is cut); at 200 every column is
// there; piped output keeps every column whole.
func TestQueueListFitsTheTerminal(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.ttyRun(t, 80, "", "queue", "list")
	w, lines := widest(r.out)
	if r.code != 0 || w > 80 || len(lines) != 12 {
		t.Fatalf("80 columns: exit %d, widest line %d, %d lines:\n%s%s", r.code, w, len(lines), r.out, r.errOut)
	}
	for _, want := range []string{"CLUSTER", "QUEUE", "STATE", "BUSY/AGENTS", "WAITING", "NOTE"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("80 columns: no %s in %q", want, lines[0])
		}
	}
	if !strings.Contains(r.out, "Xcode 16.3") || !strings.Contains(r.out, "…") {
		t.Errorf("80 columns: the note is not there, cut:\n%s", r.out)
	}
	// $COLUMNS is the width asked for, over the terminal's.
	r = e.ttyRun(t, 80, "200", "queue", "list")
	w, lines = widest(r.out)
	if r.code != 0 || w > 200 || len(lines) != 12 {
		t.Fatalf("200 columns: exit %d, widest line %d:\n%s", r.code, w, r.out)
	}
	for _, c := range queueColumns {
		if !strings.Contains(lines[0], c.name) {
			t.Errorf("200 columns: no %s in %q", c.name, lines[0])
		}
	}
	if !strings.Contains(r.out, "Priya Natarajan") || !strings.Contains(r.out, "0805257b-") {
		t.Errorf("200 columns: who paused, or the ids, are missing:\n%s", r.out)
	}
	r = e.run(t, "queue", "list", "--cluster", "Mobile")
	if !strings.Contains(r.out, "Xcode 16.3 image rollout broke code signing — INC-4821") {
		t.Errorf("piped output was cut:\n%s", r.out)
	}
}

// The busy and connected agents, the waiting jobs and the longest wait
// are each queue's, as the API's own lists give them, from one list of
// the organisation's builds however many queues there are.
func TestQueueListAndShowCountAgentsAndJobs(t *testing.T) {
	e := startLiveCLI(t)
	ctx := context.Background()
	loads, err := e.Client.QueueLoads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agents, err := e.Client.ListAgents(ctx, model.AgentListFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := len(e.Sandbox.Requests())
	// The command's clock is the client's; the wait is read between these.
	from := e.Client.Now()
	r := e.run(t, "queue", "list", "--json")
	to := e.Client.Now()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	// The counts come from GraphQL: no list of builds or agents.
	lists, graphQL := 0, 0
	for _, req := range e.Sandbox.Requests()[before:] {
		u, _ := url.Parse(req.Path)
		if strings.HasSuffix(u.Path, "/builds") || strings.HasSuffix(u.Path, "/agents") {
			lists++
		}
		if u.Path == sandbox.GraphQLPath {
			graphQL++
		}
	}
	if lists != 0 || graphQL == 0 {
		t.Errorf("%d lists of builds or agents and %d GraphQL queries for one command, want none and some", lists, graphQL)
	}
	var queues []queueJSON
	if err := json.Unmarshal([]byte(r.out), &queues); err != nil {
		t.Fatal(err)
	}
	waitingSomewhere := false
	for _, q := range queues {
		if q.Counts == nil {
			t.Fatalf("%s/%s: no counts", q.Cluster.Name, q.Key)
		}
		want := queueCounts{JobsWaiting: loads[q.ID].Waiting, JobsRunning: loads[q.ID].Running}
		for _, a := range agents {
			if strings.Contains(a.WebURL, "/queues/"+q.ID+"/") {
				want.AgentsConnected++
				if a.Busy() {
					want.AgentsBusy++
				}
				if a.Paused {
					want.AgentsPaused++
				}
			}
		}
		got := *q.Counts
		if got.AgentsConnected != want.AgentsConnected || got.AgentsBusy != want.AgentsBusy || got.AgentsPaused != want.AgentsPaused ||
			got.JobsWaiting != want.JobsWaiting || got.JobsRunning != want.JobsRunning {
			t.Errorf("%s/%s: counts %+v, want %+v", q.Cluster.Name, q.Key, got, want)
		}
		if want.JobsWaiting > 0 {
			waitingSomewhere = true
			oldest := loads[q.ID].OldestWaiting
			if got.OldestWaitingSince == nil || !got.OldestWaitingSince.Equal(oldest) ||
				got.LongestWaitSeconds < int(from.Sub(oldest)/time.Second) || got.LongestWaitSeconds > int(to.Sub(oldest)/time.Second) {
				t.Errorf("%s/%s: longest wait %v %d, want since %v", q.Cluster.Name, q.Key, got.OldestWaitingSince, got.LongestWaitSeconds, oldest)
			}
		}
	}
	if !waitingSomewhere {
		t.Fatal("the simulation has no waiting job: the test shows nothing")
	}
	r = e.run(t, "queue", "show", "Mobile/macos")
	if r.code != 0 || !strings.Contains(r.out, "agents\t") || !strings.Contains(r.out, "busy of") || !strings.Contains(r.out, "waiting, ") {
		t.Fatalf("queue show: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	r = e.run(t, "queue", "list", "--help")
	if !strings.Contains(r.out, "BUSY/AGENTS is the agents running a job") {
		t.Errorf("--help does not say what the counts are:\n%s", r.out)
	}
}

// A pipeline's cluster is named as people name it, not by its UUID, in
// the table and in --json (beside the API's cluster_id); `pipeline list`
// and `agent list` fit 80 columns too.
func TestPipelineListNamesTheClusterAndListsFit80Columns(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	clusters, err := e.Client.ListClusters(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range clusters {
		names[c.Name] = true
	}
	r := e.run(t, "pipeline", "list")
	inCluster := 0
	for _, row := range tsv(r.out) {
		if row[3] != "" {
			inCluster++
			if !names[row[3]] {
				t.Errorf("%s: cluster %q is not a cluster's name", row[0], row[3])
			}
		}
	}
	if r.code != 0 || inCluster == 0 {
		t.Fatalf("exit %d, %d pipelines in a cluster:\n%s%s", r.code, inCluster, r.out, r.errOut)
	}
	r = e.run(t, "pipeline", "list", "--json")
	var pipelines []pipelineJSON
	if err := json.Unmarshal([]byte(r.out), &pipelines); err != nil {
		t.Fatal(err)
	}
	for _, p := range pipelines {
		if p.ClusterID != nil && (p.Cluster == nil || p.Cluster.ID != *p.ClusterID || !names[p.Cluster.Name]) {
			t.Errorf("%s: cluster %+v for cluster_id %s", p.Slug, p.Cluster, *p.ClusterID)
		}
	}
	for _, cmd := range [][]string{{"pipeline", "list"}, {"agent", "list"}} {
		r := e.ttyRun(t, 80, "", cmd...)
		if w, lines := widest(r.out); r.code != 0 || w > 80 || len(lines) < 10 {
			t.Errorf("%v at 80 columns: exit %d, widest line %d:\n%s%s", cmd, r.code, w, r.out, r.errOut)
		}
	}
}

// A token that may not read builds (nor use GraphQL, whose counts would
// need neither) still lists its queues: the counts are "?" and stderr
// says why; the queues' own fields are all there.
func TestQueueListWithoutCountsStillListsTheQueues(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/builds") || r.URL.Path == sandbox.GraphQLPath {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"message":"Your access token does not have the read_builds scope"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	r := e.run(t, "queue", "list", "--cluster", "Mobile")
	rows := tsv(r.out)
	if r.code != 0 || len(rows) != 3 || rows[0][3] != uncounted || rows[0][4] != uncounted || !strings.Contains(r.errOut, "read_builds") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	r = e.run(t, "queue", "show", "Mobile/macos", "--json")
	var queues []queueJSON
	if r.code != 0 || json.Unmarshal([]byte(r.out), &queues) != nil || len(queues) != 1 || queues[0].Counts != nil {
		t.Fatalf("--json: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
}

// A change's results fit 80 columns too: the message (whose pause it is,
// the API's error) wraps within its column, whole, at its spaces.
func TestChangeResultsWrapTheirMessageAt80Columns(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "pause", "Mobile/macos", "--json")
	var res []change
	if r.code != 0 || json.Unmarshal([]byte(r.out), &res) != nil || len(res) != 1 || len(res[0].Message) < 80 {
		t.Fatalf("exit %d %s", r.code, r.out)
	}
	r = e.ttyRun(t, 80, "", "queue", "pause", "Mobile/*", "--dry-run")
	w, lines := widest(r.out)
	if r.code != 0 || w > 80 || len(lines) < 5 {
		t.Fatalf("exit %d, widest line %d:\n%s%s", r.code, w, r.out, r.errOut)
	}
	if !strings.Contains(strings.Join(strings.Fields(r.out), " "), res[0].Message) {
		t.Errorf("the message is not whole:\n%s\nwant %q", r.out, res[0].Message)
	}
	for _, l := range lines {
		if strings.HasSuffix(l, "-") {
			t.Errorf("a line breaks at a hyphen: %q", l)
		}
	}
}

// `pipeline list --json` encodes each page as it arrives, with the
// clusters' names read beside the pages: what it prints is what the whole
// list's JSON was, byte for byte, escapes and cluster names included,
// over 100 pages fetched in parallel.
func TestPipelineListJSONIsTheWholeListsJSON(t *testing.T) {
	e := startCLI(t, sandbox.SizeLarge, nil)
	ctx := context.Background()
	clusters, err := e.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	desc := "<b>bold</b> & \u0085next line"
	if _, err := e.Client.CreatePipeline(ctx, model.PipelineCreate{Name: "Evil \u202eName", Description: desc, ClusterID: clusters[0].ID,
		Repository: "https://x-access-token:secret@github.com/acme/evil.git", Configuration: "steps:\n  - command: true\n"}); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "pipeline", "list", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	pipelines, err := e.Client.ListPipelines(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	names, err := e.Client.ClusterNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	whole := make([]pipelineJSON, len(pipelines))
	for i, p := range pipelines {
		whole[i] = toPipelineJSON(listedOf(p), names)
	}
	var want bytes.Buffer
	if err := (output{w: &want, json: true}).writeJSON(whole); err != nil {
		t.Fatal(err)
	}
	if r.out != want.String() {
		at := 0
		for at < min(len(r.out), len(want.String())) && r.out[at] == want.String()[at] {
			at++
		}
		t.Fatalf("%d bytes printed, %d in the whole list's JSON; they differ at %d: %q", len(r.out), want.Len(), at, r.out[max(0, at-80):min(len(r.out), at+80)])
	}
	if !strings.Contains(r.out, `Evil \u202eName`) || strings.Contains(r.out, "secret") || len(pipelines) != 10001 {
		t.Fatalf("the hostile pipeline is not escaped and redacted, or %d pipelines listed", len(pipelines))
	}
}

// When the clusters' names cannot be read (neither over GraphQL nor over
// REST), `pipeline list --json` names each pipeline's cluster by its id
// and says why, and does not wait for names that will not come.
func TestPipelineListJSONWithoutClusterNamesListsByID(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == sandbox.GraphQLPath || strings.HasSuffix(r.URL.Path, "/clusters") {
				http.NotFound(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := Execute(context.Background(), []string{"pipeline", "list", "--json", "--endpoint", e.Server.URL, "--org", e.Sandbox.Org(), "--audit-log", e.auditLog},
			&out, &errOut, e.getenv)
		done <- result{code, out.String(), errOut.String()}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second): // a bound for a hang
		t.Fatal("pipeline list --json did not end without the clusters' names")
	}
	var pipelines []pipelineJSON
	if r.code != 0 || json.Unmarshal([]byte(r.out), &pipelines) != nil || len(pipelines) == 0 || !strings.Contains(r.errOut, "clusters are shown by id") {
		t.Fatalf("exit %d, %d pipelines, stderr %q", r.code, len(pipelines), r.errOut)
	}
	inCluster := 0
	for _, p := range pipelines {
		if p.ClusterID != nil {
			inCluster++
			if p.Cluster == nil || p.Cluster.ID != *p.ClusterID || p.Cluster.Name != "" {
				t.Fatalf("%s: cluster %+v for cluster_id %s", p.Slug, p.Cluster, *p.ClusterID)
			}
		}
	}
	if inCluster == 0 {
		t.Fatal("no pipeline is in a cluster")
	}
}
