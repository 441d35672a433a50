package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
)

// cliEnv is a sandbox over HTTP and the environment the command line
// reaches it with: its token in BUILDKITE_API_TOKEN, an empty config
// directory, a cache directory and an audit log of the test's own.
type cliEnv struct {
	*sandboxtest.Env
	token    string
	dir      string
	auditLog string
}

func startCLI(t *testing.T, size sandbox.Size, wrap func(http.Handler) http.Handler) *cliEnv {
	t.Helper()
	return startCLIWith(t, sandbox.Options{Size: size}, wrap)
}

// startCLIWith is startCLI with the sandbox's options (its clock, its
// scoped tokens).
func startCLIWith(t *testing.T, opts sandbox.Options, wrap func(http.Handler) http.Handler) *cliEnv {
	t.Helper()
	env := sandboxtest.Start(t, opts, wrap)
	dir := t.TempDir()
	return &cliEnv{Env: env, token: env.Sandbox.Token(), dir: dir, auditLog: filepath.Join(dir, "audit.log")}
}

func (e *cliEnv) getenv(k string) string {
	switch k {
	case EnvToken:
		return e.token
	case "XDG_CONFIG_HOME":
		return filepath.Join(e.dir, "config")
	case "XDG_CACHE_HOME":
		return filepath.Join(e.dir, "cache")
	}
	return ""
}

type result struct {
	code        int
	out, errOut string
}

// run runs the command line against the sandbox and checks that nothing
// it printed holds a token's value.
func (e *cliEnv) run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--endpoint", e.Server.URL, "--org", e.Sandbox.Org())
	if args[0] != "summary" && !strings.HasPrefix(args[0], "__complete") {
		args = append(args, "--audit-log", e.auditLog)
	}
	code := Execute(context.Background(), args, &out, &errOut, e.getenv)
	for _, secret := range []string{e.Sandbox.Token(), sandbox.DefaultReadOnlyToken} {
		if strings.Contains(out.String()+errOut.String(), secret) {
			t.Fatalf("%v printed a token's value:\n%s\n%s", args, out.String(), errOut.String())
		}
	}
	return result{code, out.String(), errOut.String()}
}

// auditEntries reads the audit log.
func (e *cliEnv) auditEntries(t *testing.T) []audit.Entry {
	t.Helper()
	f, err := os.Open(e.auditLog)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []audit.Entry
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		var en audit.Entry
		if err := json.Unmarshal(lines.Bytes(), &en); err != nil {
			t.Fatalf("audit line %q: %v", lines.Text(), err)
		}
		out = append(out, en)
	}
	return out
}

func tsv(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line != "" {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows
}

func TestQueueListIsTSVWhenPipedAndFilters(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "list", "--cluster", "mobile")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	rows := tsv(r.out)
	if len(rows) != 3 {
		t.Fatalf("Mobile has 3 queues, got %d rows (a header when piped?):\n%s", len(rows), r.out)
	}
	for _, row := range rows {
		if row[0] != "Mobile" || len(row) != len(queueColumns) {
			t.Fatalf("row %q", row)
		}
	}
	r = e.run(t, "queue", "list", "--paused")
	rows = tsv(r.out)
	if r.code != 0 || len(rows) != 1 || rows[0][1] != "macos" || rows[0][2] != "paused" || rows[0][6] != "Priya Natarajan" {
		t.Fatalf("--paused: exit %d %q", r.code, rows)
	}
}

func TestQueueListJSONHasTheAPIFieldNames(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "list", "--cluster", "Mob*", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	var raw []map[string]any
	if err := json.Unmarshal([]byte(r.out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"id", "key", "dispatch_paused", "dispatch_paused_note", "dispatch_paused_by", "web_url", "cluster"} {
		if _, ok := raw[0][field]; !ok {
			t.Errorf("no %q in %v", field, raw[0])
		}
	}
	var queues []queueJSON
	if err := json.Unmarshal([]byte(r.out), &queues); err != nil {
		t.Fatal(err)
	}
	var paused []string
	for _, q := range queues {
		if q.Cluster.Name != "Mobile" || q.Cluster.ID == "" {
			t.Errorf("cluster %+v", q.Cluster)
		}
		if q.DispatchPaused {
			paused = append(paused, q.Key+": "+model.Value(q.DispatchPausedNote))
		}
	}
	if len(queues) != 3 || len(paused) != 1 || !strings.Contains(paused[0], "INC-4821") {
		t.Fatalf("%d queues, paused %q", len(queues), paused)
	}
}

func TestQueueShowByNameIDAnyCaseAndBareKey(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "show", "Mobile/macos", "--json")
	var byName []queueJSON
	if r.code != 0 || json.Unmarshal([]byte(r.out), &byName) != nil || len(byName) != 1 {
		t.Fatalf("by name: exit %d %s %s", r.code, r.out, r.errOut)
	}
	q := byName[0]
	for _, name := range []string{q.Cluster.ID + "/" + q.ID, "mobile/MACOS", "macos", q.Cluster.ID + "/macos"} {
		r := e.run(t, "queue", "show", name)
		if r.code != 0 || !strings.Contains(r.out, q.ID) || !strings.Contains(r.out, "INC-4821") {
			t.Errorf("%s: exit %d\n%s%s", name, r.code, r.out, r.errOut)
		}
	}
}

func TestPauseByGlobWritesOneAuditLinePerChangeAndRepeatsSafely(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "pause", "Mobile/mac*", "--note", "INC-9: signing outage", "--yes")
	if r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
	got := map[string]string{}
	for _, row := range tsv(r.out) {
		got[row[0]] = row[1]
	}
	if got["Mobile/macos"] != "already paused" || got["Mobile/macos-large"] != "paused" || len(got) != 2 {
		t.Fatalf("results %v", got)
	}
	writes := e.Writes()
	if len(writes) != 1 || !strings.HasSuffix(writes[0].Path, "/pause_dispatch") {
		t.Fatalf("writes %v: only the running queue is sent a pause", writes)
	}
	entries := e.auditEntries(t)
	if len(entries) != 1 {
		t.Fatalf("%d audit lines, want 1: %+v", len(entries), entries)
	}
	en := entries[0]
	if en.Via != "cli" || en.Who != audit.LocalActor().Who || en.Action != "queue.pause" || en.Result != "ok" ||
		en.Note != "INC-9: signing outage" || en.Target.ClusterName != "Mobile" || en.Target.QueueKey != "macos-large" {
		t.Fatalf("audit line %+v", en)
	}
	// Again: both already paused, nothing sent, nothing logged, exit 0.
	r = e.run(t, "queue", "pause", "Mobile/mac*", "--note", "INC-9", "--yes")
	if r.code != 0 || strings.Count(r.out, "already paused") != 2 || len(e.Writes()) != 1 || len(e.auditEntries(t)) != 1 {
		t.Fatalf("repeat: exit %d, %d writes, %d audit lines:\n%s", r.code, len(e.Writes()), len(e.auditEntries(t)), r.out)
	}
	// Resume both, then resume again.
	r = e.run(t, "queue", "resume", "Mobile/mac*", "--json", "--yes")
	var changes []change
	if r.code != 0 || json.Unmarshal([]byte(r.out), &changes) != nil || len(changes) != 2 {
		t.Fatalf("resume: exit %d %s %s", r.code, r.out, r.errOut)
	}
	for _, c := range changes {
		if c.Result != "resumed" || c.Queue == nil || c.Queue.DispatchPaused || c.Cluster.Name != "Mobile" {
			t.Errorf("resume result %+v", c)
		}
	}
	r = e.run(t, "queue", "resume", "Mobile/macos")
	if r.code != 0 || !strings.Contains(r.out, "already running") || len(e.Writes()) != 3 {
		t.Fatalf("resume again: exit %d, %d writes\n%s", r.code, len(e.Writes()), r.out)
	}
}

func TestUnknownAndAmbiguousNamesChangeNothing(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	cases := []struct {
		args []string
		want []string
	}{
		// "default" is a queue of every cluster.
		{[]string{"default"}, []string{"names 5 queues; nothing was changed.\nName one of them:\n  Data Platform/default\n", "Production/default"}},
		{[]string{"Nowhere/default"}, []string{"no cluster matches", "Mobile", "Data Platform"}},
		{[]string{"Mobile/mac"}, []string{"no queue matches", "Mobile/macos", "Mobile/macos-large"}},
		{[]string{"Production/deploy", "Mobile/nope"}, []string{"no queue matches"}},
		{[]string{"*/nothing-like-this"}, []string{"no queue matches"}},
		{[]string{"Mobile/[x"}, []string{"not a valid pattern"}},
	}
	for _, c := range cases {
		r := e.run(t, append([]string{"queue", "pause"}, c.args...)...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", c.args, r.code, ExitUsage)
		}
		for _, w := range c.want {
			if !strings.Contains(r.errOut, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, w, r.errOut)
			}
		}
		if !strings.Contains(r.errOut, "nothing was changed") && !strings.Contains(r.errOut, "pattern") {
			t.Errorf("%v: does not say nothing changed: %s", c.args, r.errOut)
		}
	}
	if w := e.Writes(); len(w) != 0 {
		t.Fatalf("a bad name changed something: %v", w)
	}
}

func TestTheProgressNoteCountsOnlyTheQueuesToChange(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	// Mobile/macos is paused already: one request is sent.
	r := e.run(t, "queue", "pause", "Mobile/mac*", "--note", "x", "--yes")
	if r.code != 0 || !strings.Contains(r.errOut, "pausing 1 queue…") {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	// A repeat sends nothing and says it is pausing nothing.
	r = e.run(t, "queue", "pause", "Mobile/mac*", "--note", "x", "--yes")
	if r.code != 0 || strings.Contains(r.errOut, "pausing") {
		t.Fatalf("repeat: exit %d, stderr %q", r.code, r.errOut)
	}
}

func TestDryRunSaysWhatWouldChange(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "pause", "*/default", "Mobile/macos", "--dry-run", "--note", "x")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	if n := strings.Count(r.out, "would pause"); n != 5 || !strings.Contains(r.out, "Mobile/macos\talready paused") {
		t.Fatalf("%d would pause:\n%s", n, r.out)
	}
	if !strings.Contains(r.errOut, "dry run") || len(e.Writes()) != 0 || len(e.auditEntries(t)) != 0 {
		t.Fatalf("dry run sent %v", e.Writes())
	}
}

func TestReadOnlyRefusesBeforeSendingWithExit3(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "pause", "Production/deploy", "--read-only", "--note", "x")
	if r.code != ExitRefused {
		t.Fatalf("exit %d, want 3: %s %s", r.code, r.out, r.errOut)
	}
	if len(e.Writes()) != 0 {
		t.Fatalf("read-only sent %v", e.Writes())
	}
	if !strings.Contains(r.out, "refused") || !strings.Contains(r.out, "read-only") {
		t.Fatalf("output: %s", r.out)
	}
	entries := e.auditEntries(t)
	if len(entries) != 1 || entries[0].Result != "refused" || entries[0].Via != "cli" {
		t.Fatalf("audit %+v", entries)
	}
}

func TestATokenWithoutTheScopeIsRefusedWithExit3AndNamesIt(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	e.token = sandbox.DefaultReadOnlyToken
	r := e.run(t, "queue", "pause", "Production/deploy", "Production/default", "--yes")
	if r.code != ExitRefused {
		t.Fatalf("exit %d, want 3: %s %s", r.code, r.out, r.errOut)
	}
	if strings.Count(r.out, "write_clusters") != 2 {
		t.Fatalf("the scope is not named per target:\n%s", r.out)
	}
}

func TestOneFailureOfSeveralIsExit1AndTheRestAreDone(t *testing.T) {
	// The sandbox fails the pause of one queue, whose id is found once it
	// has started.
	var failID string
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failID != "" && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/queues/"+failID+"/pause_dispatch") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = w.Write([]byte(`{"message":"Queue is locked by a migration"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	refs, err := newNames(e.Client).Queues(context.Background(), []string{"Production/deploy"})
	if err != nil {
		t.Fatal(err)
	}
	failID = refs[0].Queue.ID
	r := e.run(t, "queue", "pause", "Production/deploy", "Production/default", "--yes")
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want 1: %s %s", r.code, r.out, r.errOut)
	}
	got := map[string][]string{}
	for _, row := range tsv(r.out) {
		got[row[0]] = row
	}
	if got["Production/default"][1] != "paused" || got["Production/deploy"][1] != "failed" ||
		got["Production/deploy"][2] != "Queue is locked by a migration" {
		t.Fatalf("results %q", got)
	}
	if !strings.Contains(r.errOut, "1 of 2 queues failed") {
		t.Fatalf("stderr %s", r.errOut)
	}
	entries := e.auditEntries(t)
	if len(entries) != 2 {
		t.Fatalf("audit lines %+v: one per attempted change", entries)
	}
}

func TestUsageErrorsAreExit2(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	for _, args := range [][]string{
		{"queue", "pause"},
		{"queue", "list", "--no-such-flag"},
		{"queue", "frobnicate"},
		{"summary", "extra"},
		{"pipeline", "list", "--name"},
	} {
		if r := e.run(t, args...); r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2: %s", args, r.code, r.errOut)
		}
	}
}

func TestPipelineListByName(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "pipeline", "list", "--name", "CHECKOUT", "--json")
	var ps []map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.out), &ps) != nil || len(ps) == 0 {
		t.Fatalf("exit %d %s %s", r.code, r.out, r.errOut)
	}
	for _, p := range ps {
		if !strings.Contains(strings.ToLower(p["name"].(string)), "checkout") {
			t.Errorf("%v does not match", p["name"])
		}
		for _, secret := range []string{"env", "provider", "steps"} {
			if _, ok := p[secret]; ok {
				t.Errorf("pipeline JSON carries %q", secret)
			}
		}
		if _, ok := p["slug"]; !ok {
			t.Errorf("no slug: %v", p)
		}
	}
	all := e.run(t, "pipeline", "list")
	if all.code != 0 || len(tsv(all.out)) != 40 {
		t.Fatalf("all pipelines: exit %d, %d rows", all.code, len(tsv(all.out)))
	}
}

func TestAPipelineRepositoryURLsTokenIsNotPrinted(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	const secret = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
	refs, err := newNames(e.Client).Queues(context.Background(), []string{"Production/deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.CreatePipeline(context.Background(), model.PipelineCreate{Name: "Token In URL", ClusterID: refs[0].Cluster.ID,
		Repository:    "https://x-access-token:" + secret + "@github.com/acme/token-in-url.git",
		Configuration: "steps:\n  - command: true\n"}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"pipeline", "list"}, {"pipeline", "list", "--json"}, {"pipeline", "list", "--name", "token in"}} {
		r := e.run(t, args...)
		if r.code != 0 || !strings.Contains(r.out, "x-access-token:REDACTED@github.com/acme/token-in-url.git") {
			t.Fatalf("%v: exit %d, the repository is not shown redacted:\n%s", args, r.code, r.out)
		}
		if strings.Contains(r.out+r.errOut, secret) {
			t.Fatalf("%v printed the repository URL's token", args)
		}
	}
	if got := redactURL("git@github.com:acme/x.git"); got != "git@github.com:acme/x.git" {
		t.Fatalf("an SSH remote changed: %q", got)
	}
}

func TestAPauseThatLosesARaceCountsAsAlreadyPaused(t *testing.T) {
	// Between the list and the pause someone else paused the queue: the
	// API answers 422 "already paused", and the queue is in the asked
	// state.
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/pause_dispatch") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = w.Write([]byte(`{"message":"Cluster queue is already paused"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	r := e.run(t, "queue", "pause", "Production/deploy")
	if r.code != 0 || !strings.Contains(r.out, "Production/deploy\talready paused") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

// After a 429 the client waits for the organisation's window to reset
// (here the server asks for a second): the person is told so on stderr,
// once, rather than left with a command that looks hung; stdout holds
// the results only.
func TestAWaitForTheRateLimitIsSaid(t *testing.T) {
	budgetWatchEvery = 10 * time.Millisecond
	t.Cleanup(func() { budgetWatchEvery = 250 * time.Millisecond })
	var refused atomic.Int32
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/clusters") && refused.Add(1)%2 == 1 {
				w.Header().Set("RateLimit-Reset", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"message":"You have exceeded your API rate limit."}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	for _, args := range [][]string{{"queue", "list", "--cluster", "Mobile"}, {"summary"}} {
		r := e.run(t, args...)
		if r.code != 0 || strings.Count(r.errOut, "waiting") != 1 || !strings.Contains(r.errOut, "API budget is spent (429)") {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.errOut)
		}
		if strings.Contains(r.out, "waiting") {
			t.Fatalf("%v: the note reached stdout", args)
		}
	}
}

// A cluster's name may hold a slash: CLUSTER/QUEUE then splits after
// the cluster's whole name, so the queue is named as it is listed.
func TestAClusterNameWithASlash(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	ctx := context.Background()
	refs, err := newNames(e.Client).Queues(ctx, []string{"Mobile/macos"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.UpdateCluster(ctx, refs[0].Cluster.ID, model.ClusterUpdate{Name: model.Set("iOS/Android")}); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "queue", "show", "iOS/Android/macos")
	if r.code != 0 || !strings.Contains(r.out, refs[0].Queue.ID) {
		t.Fatalf("by name: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	r = e.run(t, "queue", "pause", "ios/android/mac*", "--dry-run")
	if r.code != 0 || !strings.Contains(r.out, "iOS/Android/macos-large\twould pause") {
		t.Fatalf("by glob: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// Listed names are the names that work.
	listed := tsv(e.run(t, "queue", "list", "--cluster", "iOS/Android").out)
	if len(listed) != 3 {
		t.Fatalf("--cluster iOS/Android lists %d queues, want 3", len(listed))
	}
	for _, row := range listed {
		if r := e.run(t, "queue", "show", row[0]+"/"+row[1]); r.code != 0 {
			t.Fatalf("%s/%s as listed: exit %d %s", row[0], row[1], r.code, r.errOut)
		}
	}
}

// Resuming lifts someone's pause: the result says whose it was, when and
// why (the queue as it is after says nothing of it), in the line and in
// the JSON; a dry run says it too.
func TestAResumeSaysWhosePauseItLifted(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "queue", "resume", "Mobile/macos", "--dry-run")
	if r.code != 0 || !strings.Contains(r.out, "Mobile/macos\twould resume\tpaused by Priya Natarajan at ") || !strings.Contains(r.out, "INC-4821") {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.out)
	}
	r = e.run(t, "queue", "resume", "Mobile/macos", "--json")
	var changes []change
	if r.code != 0 || json.Unmarshal([]byte(r.out), &changes) != nil || len(changes) != 1 {
		t.Fatalf("exit %d %s %s", r.code, r.out, r.errOut)
	}
	c := changes[0]
	if c.Result != "resumed" || c.Queue.DispatchPaused || !strings.HasPrefix(c.Message, "was paused by Priya Natarajan at ") || !strings.HasSuffix(c.Message, "INC-4821") {
		t.Fatalf("result %+v", c)
	}
}

// Ctrl-C while pausing: the results are printed (the interrupted queue
// says it may or may not be paused) and the exit code is 130, not 1.
func TestAnInterruptedPauseSaysSoAndExits130(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The pause is never answered: the handler waits until the test ends
	// (released before the server is closed).
	release := make(chan struct{})
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/pause_dispatch") {
				cancel() // the person presses Ctrl-C while the pause is sent
				<-release
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	t.Cleanup(func() { close(release) })
	var out, errOut bytes.Buffer
	code := Execute(ctx, []string{"queue", "pause", "Production/deploy", "--endpoint", e.Server.URL, "--org", e.Sandbox.Org(),
		"--audit-log", e.auditLog}, &out, &errOut, e.getenv)
	if code != exitInterrupted || !strings.Contains(out.String(), "Production/deploy\tfailed\tinterrupted: the request may or may not have been done") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "Error: interrupted") {
		t.Fatalf("stderr %q", errOut.String())
	}
}

// The probe's finding: a cluster whose name holds a slash was skipped by
// every glob ('*' did not match the slash), so `queue pause '*/*'` left
// its queues running and exited 0, `queue show KEY` found none of its
// queues and `queue list` left them out.
func TestGlobsAndBareKeysFindTheQueuesOfAClusterWithASlash(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	ctx := context.Background()
	refs, err := newNames(e.Client).Queues(ctx, []string{"Mobile/macos-large"})
	if err != nil {
		t.Fatal(err)
	}
	slashed := refs[0].Cluster
	if _, err := e.Client.UpdateCluster(ctx, slashed.ID, model.ClusterUpdate{Name: model.Set("iOS/Android")}); err != nil {
		t.Fatal(err)
	}
	// macos-large is a key of that cluster only.
	if r := e.run(t, "queue", "show", "macos-large"); r.code != 0 || !strings.Contains(r.out, refs[0].Queue.ID) {
		t.Fatalf("show by its key: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	listed := map[string]bool{}
	for _, row := range tsv(e.run(t, "queue", "list").out) {
		listed[row[0]+"/"+row[1]] = true
	}
	for _, glob := range []string{"*/*", "iOS*/*", "*/macos-large", "i?s/android/*", "*[/]*/mac*"} {
		r := e.run(t, "queue", "pause", glob, "--dry-run")
		if r.code != 0 || !strings.Contains(r.out, "iOS/Android/macos-large\twould pause") {
			t.Fatalf("%s: exit %d\n%s%s", glob, r.code, r.out, r.errOut)
		}
	}
	r := e.run(t, "queue", "pause", "*/*", "--note", "INC-1", "--yes")
	if r.code != 0 {
		t.Fatalf("pause */*: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	clusters, err := e.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters {
		queues, err := e.Client.ListQueues(ctx, c.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queues {
			if !q.DispatchPaused {
				t.Errorf("%s/%s is still running after pause '*/*'", c.Name, q.Key)
			}
			if !listed[c.Name+"/"+q.Key] {
				t.Errorf("queue list leaves out %s/%s", c.Name, q.Key)
			}
		}
	}
	// A cluster called iOS beside it: iOS/* is that cluster's queues only.
	if _, err := e.Client.CreateCluster(ctx, model.ClusterCreate{Name: "iOS"}); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t, "queue", "show", "iOS/*"); r.code != ExitUsage || !strings.Contains(r.errOut, "no queue matches") {
		t.Fatalf("iOS/* (a cluster with no queues): exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}
