package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// The console's builds, jobs and logs on the sandbox's live simulation,
// its clock moved by hand.

func liveDriver(t *testing.T, o driverOptions) (*driver, *sandboxtest.Clock) {
	t.Helper()
	clock := sandboxtest.NewClock()
	o.clock = clock
	d := startDriver(t, o)
	d.waitFor("Production", "DEFAULT QUEUE")
	return d, clock
}

// open pushes a screen made in the program's loop, as a key leading to
// it would.
func (d *driver) open(build func(c *common.Common) common.Screen) {
	d.t.Helper()
	ch := make(chan common.Screen, 1)
	d.p.Send(probe{fn: func(a *App) { ch <- build(a.c) }})
	d.p.Send(common.PushMsg{Screen: <-ch})
}

func (d *driver) pipeline(slug string) model.Pipeline {
	d.t.Helper()
	p, err := d.env.Client.GetPipeline(context.Background(), slug)
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

func (d *driver) build(slug string, number int) model.Build {
	d.t.Helper()
	b, err := d.env.Client.GetBuild(context.Background(), slug, number)
	if err != nil {
		d.t.Fatal(err)
	}
	return b
}

func TestPipelineBuildsTabShowsTheBuildsAndNewOnesOnRefresh(t *testing.T) {
	t.Parallel()
	d, clock := liveDriver(t, driverOptions{width: 160, height: 48})
	ctx := context.Background()
	p := d.pipeline("deploy-production")
	d.open(func(c *common.Common) common.Screen { return screen.NewPipelineScreen(c, p) })
	d.waitFor("Settings", "Builds", "Repository")
	d.keys("tab")
	want, err := d.env.Client.RecentBuilds(ctx, p.Slug, model.BuildFilter{}, 100)
	if err != nil || len(want) == 0 {
		t.Fatalf("the sandbox has no builds of %s: %v", p.Slug, err)
	}
	frame := d.waitFor("Builds ("+strconv.Itoa(len(want))+")", "BRANCH", "MESSAGE")
	for _, b := range want {
		row := rowOf(frame, " "+strconv.Itoa(b.Number)+" ")
		if row == "" || !strings.Contains(row, strings.ReplaceAll(b.State, "_", " ")) && !strings.Contains(row, "blocked") && !strings.Contains(row, "failing") {
			t.Errorf("build #%d (%s) is not shown with its state:\n%s", b.Number, b.State, frame)
		}
		if !strings.Contains(row, b.Branch) {
			t.Errorf("build #%d's branch %s is not shown: %q", b.Number, b.Branch, row)
		}
	}

	// A build made elsewhere shows on the next refresh.
	made, err := d.env.Client.CreateBuild(ctx, p.Slug, model.BuildCreate{Branch: "hotfix/elsewhere", Commit: "HEAD", Message: "Made in another tab"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Second)
	d.keys("r")
	frame = d.waitFor("Made in another tab", "hotfix/elsewhere")
	if !strings.Contains(rowOf(frame, "Made in another tab"), strconv.Itoa(made.Number)) {
		t.Errorf("the new build's number %d is not on its row:\n%s", made.Number, frame)
	}

	// The state filter asks the API for the failed ones only.
	d.keys("s", "s", "s")
	frame = d.waitFor("failing or failed")
	if strings.Contains(frame, "Made in another tab") {
		t.Errorf("a scheduled build is shown under the failed filter:\n%s", frame)
	}
	// (Each s reloads, and the three loads may reach the API in any order.)
	if !sent(d, "/pipelines/deploy-production/builds?", "state%5B%5D=failing&state%5B%5D=failed") {
		t.Errorf("the filter was not sent")
	}
	// And the branch filter too.
	d.keys("s", "s", "s", "s", "b")
	d.typeText("hotfix/*")
	d.keys("enter")
	frame = d.waitFor("branch hotfix/*", "Made in another tab")
	if strings.Count(frame, "production deploy") > 0 || rowOf(frame, " main ") != "" {
		t.Errorf("builds of other branches are shown:\n%s", frame)
	}
}

// rowOf is the first line of frame that contains text.
func rowOf(frame, text string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// sent reports whether a request to path with query in it reached the
// sandbox.
func sent(d *driver, path, query string) bool {
	for _, r := range d.env.Sandbox.Requests() {
		if strings.Contains(r.Path, path) && strings.Contains(r.Path, query) {
			return true
		}
	}
	return false
}

func TestBuildScreenAndTheLogTailEndsAsTheSandboxsLog(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	ctx := context.Background()
	b := d.build("deploy-production", 4)
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 4) })
	frame := d.waitFor("deploy-production #4", "STEP", "EXIT")
	for _, j := range b.Jobs {
		if j.Type == model.JobWaiter {
			continue
		}
		if !strings.Contains(frame, common.Clean(common.Emojize(j.DisplayName()))) {
			t.Errorf("job %s is not listed:\n%s", j.DisplayName(), frame)
		}
	}
	// The first job (the upload) has a log: its tail ends as the
	// sandbox's whole log does.
	d.keys("enter")
	frame = d.waitFor("Upload", "T shows timestamps")
	whole, err := d.env.Client.JobLog(ctx, "deploy-production", 4, b.Jobs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	lines := termsafe.LogLines(whole)
	last := strings.TrimSpace(ansi.Strip(lines[len(lines)-1].Text))
	if got := lastText(frame); got != last {
		t.Errorf("the log's last line is %q, the sandbox's is %q\n%s", got, last, frame)
	}
	// T shows the agent's timestamps; T again hides them.
	d.keys("T")
	frame = d.waitFor("T hides timestamps")
	stamp := lines[len(lines)-1].At.Format("15:04:05")
	if !strings.HasPrefix(lastText(frame), stamp+" ") {
		t.Errorf("the last line has no timestamp %s: %q", stamp, lastText(frame))
	}
	d.keys("T")
	d.waitFor("T shows timestamps")
}

// lastText is the last line of the screens' area with text on it (above
// the footer's two lines).
func lastText(frame string) string {
	lines := strings.Split(frame, "\n")
	for i := len(lines) - 3; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}

// longLog serves, in front of the sandbox, the log of one job as a long
// job's: lines of lines, growing when the test says, read as the API
// serves it (suffix ranges with Content-Range), and counts the bytes and
// requests of log sent.
type longLog struct {
	jobID           atomic.Value
	lines           atomic.Int64
	bytes, requests atomic.Int64

	// written is the log so far, of written lines: it only grows, and is
	// extended rather than written anew for each request.
	mu      sync.Mutex
	written []byte
	upTo    int64
}

func (l *longLog) text() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ; l.upTo < l.lines.Load(); l.upTo++ {
		i := l.upTo
		l.written = append(l.written, "\x1b_bk;t="+strconv.FormatInt(1780315200000+i*1000, 10)+"\x07"...)
		l.written = append(l.written, "\x1b[32m--- PASS:\x1b[0m TestLine"+strconv.FormatInt(i, 10)+" (0.01s) some more words as tests print\n"...)
	}
	return l.written[:len(l.written):len(l.written)]
}

func (l *longLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := l.jobID.Load().(string)
		if id == "" || !strings.HasSuffix(r.URL.Path, "/jobs/"+id+"/log") {
			h.ServeHTTP(w, r)
			return
		}
		l.requests.Add(1)
		log := l.text()
		body, status := log, http.StatusOK
		if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes=-"); ok {
			n, _ := strconv.Atoi(spec)
			from := max(0, len(log)-n)
			body, status = log[from:], http.StatusPartialContent
			w.Header().Set("Content-Range", "bytes "+strconv.Itoa(from)+"-"+strconv.Itoa(len(log)-1)+"/"+strconv.Itoa(len(log)))
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = w.Write(body)
		l.bytes.Add(int64(len(body)))
	})
}

// A long job's log is read by its tail, and followed with ranged reads of
// about what was added: the bytes fetched are a small part of the whole
// log, which is never fetched.
func TestFollowingALongJobsLogFetchesItsTailNotTheWholeLog(t *testing.T) {
	t.Parallel()
	var long longLog
	d, _ := liveDriver(t, driverOptions{width: 120, height: 30, wrap: long.wrap})
	var job model.Job
	var slug string
	var number int
	running, err := d.env.Client.RecentBuilds(context.Background(), "", model.BuildFilter{States: []string{model.BuildRunning}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range running {
		for _, j := range b.Jobs {
			if j.State == model.JobRunning && job.ID == "" {
				job, slug, number = j, b.Pipeline.Slug, b.Number
			}
		}
	}
	if job.ID == "" {
		t.Fatal("the sandbox has no running job")
	}
	long.lines.Store(40000) // about 3 MB: a long job
	long.jobID.Store(job.ID)
	whole := int64(len(long.text()))
	d.open(func(c *common.Common) common.Screen { return screen.NewJobLogScreen(c, slug, number, job) })
	d.waitFor("following", "TestLine39999 ")
	first := long.bytes.Load()
	const reads = 20
	for i := range reads {
		long.lines.Add(3)
		d.keys("r")
		d.waitFor("TestLine" + strconv.Itoa(40002+3*i) + " ")
	}
	fetched, requests := long.bytes.Load(), long.requests.Load()
	t.Logf("whole log %d bytes; first read %d bytes; %d reads in all fetched %d bytes (%d per follow read)",
		whole, first, requests, fetched, (fetched-first)/max(1, requests-1))
	if first > tailBytes {
		t.Errorf("the first read fetched %d bytes, more than the tail's %d", first, tailBytes)
	}
	if requests < reads+1 {
		t.Errorf("only %d reads of the log", requests)
	}
	// Each follow read asks for about twice what was added, plus a
	// little: never the tail again, never the whole log.
	if perRead := (fetched - first) / (requests - 1); perRead > 4<<10 {
		t.Errorf("a follow read fetched %d bytes on average, for three lines added", perRead)
	}
	frame := d.waitFor("following")
	if got := lastText(frame); !strings.Contains(got, "TestLine"+strconv.Itoa(40000+3*reads-1)+" ") {
		t.Errorf("the followed log ends %q", got)
	}
	// No line was lost or doubled between reads.
	d.keys("T")
	frame = d.waitFor("T hides timestamps")
	for i := 40000 + 3*reads - 10; i < 40000+3*reads; i++ {
		if n := strings.Count(frame, "TestLine"+strconv.Itoa(i)+" "); n != 1 {
			t.Errorf("line %d is shown %d times:\n%s", i, n, frame)
		}
	}

	// A burst larger than a follow read asks for leaves a gap, which one
	// read of the tail fills: the lines still run on, none twice.
	long.lines.Add(3000)
	requests = long.requests.Load()
	d.keys("r")
	end := 40000 + 3*reads + 3000
	frame = d.waitFor("TestLine" + strconv.Itoa(end-1) + " ")
	// (The follower's own timer may add a read of its own meanwhile.)
	if got := long.requests.Load() - requests; got < 2 {
		t.Errorf("the burst took %d reads, want the follow read and then the tail", got)
	}
	for i := end - 20; i < end; i++ {
		if n := strings.Count(frame, "TestLine"+strconv.Itoa(i)+" "); n != 1 {
			t.Errorf("after the burst line %d is shown %d times:\n%s", i, n, frame)
		}
	}
}

// tailBytes is the screen's first read of a log (screen.tailBytes).
const tailBytes = 64 << 10

// A build made, cancelled and rebuilt from the console: each is checked
// in the sandbox, and each went through the audited client.
func TestCreateCancelAndRebuildABuild(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	ctx := context.Background()
	p := d.pipeline("deploy-production")
	d.open(func(c *common.Common) common.Screen { return screen.NewPipelineBuildsScreen(c, p) })
	d.waitFor("Builds (", "MESSAGE")
	d.keys("n")
	d.waitFor("New build of deploy-production", "Branch", "Commit", "Environment")
	d.formKeys("enter", "enter") // branch (the pipeline's default), commit HEAD
	d.typeText("Ship the console")
	d.formKeys("enter")
	d.typeText("DEPLOY_TARGET=canary")
	d.formKeys("enter")
	frame := d.waitFor("Ship the console")
	latest, err := d.env.Client.RecentBuilds(ctx, p.Slug, model.BuildFilter{}, 1)
	if err != nil || len(latest) != 1 {
		t.Fatalf("no build: %v", err)
	}
	made := latest[0]
	if made.Message != "Ship the console" || made.Branch != p.DefaultBranch || made.Commit != "HEAD" || made.Env["DEPLOY_TARGET"] != "canary" {
		t.Errorf("the sandbox's newest build is %+v", made)
	}
	if !strings.Contains(frame, "started deploy-production #"+strconv.Itoa(made.Number)) {
		t.Errorf("no word of the new build:\n%s", frame)
	}

	// Cancel it from its row: the default is Cancel (any key but y).
	d.keys("g", "C")
	d.waitFor("Cancel deploy-production #"+strconv.Itoa(made.Number)+"?", "Cancels build deploy-production")
	d.keys("enter")
	d.waitFor("canceled: nothing was changed")
	if b := d.build(p.Slug, made.Number); model.BuildFinishedState(b.State) || b.State == model.BuildCanceling {
		t.Fatalf("enter cancelled the build: %s", b.State)
	}
	d.keys("C")
	d.waitFor("Cancel deploy-production #" + strconv.Itoa(made.Number) + "?")
	d.keys("y")
	d.waitFor("canceled deploy-production #" + strconv.Itoa(made.Number))
	if b := d.build(p.Slug, made.Number); b.State != model.BuildCanceled && b.State != model.BuildCanceling {
		t.Errorf("the build is %s after its cancel", b.State)
	}

	// Rebuild it from its own screen: the new build opens.
	d.keys("enter")
	d.waitFor(p.Slug+" #"+strconv.Itoa(made.Number), "STEP")
	d.keys("R")
	d.waitFor("Rebuild deploy-production #" + strconv.Itoa(made.Number) + "?")
	d.keys("y")
	next := strconv.Itoa(made.Number + 1)
	frame = d.waitFor("rebuilt deploy-production #"+strconv.Itoa(made.Number)+" as #"+next, p.Slug+" #"+next, "rebuilt from #"+strconv.Itoa(made.Number))
	rebuilt := d.build(p.Slug, made.Number+1)
	if rebuilt.RebuiltFrom == nil || rebuilt.RebuiltFrom.Number != made.Number || rebuilt.Message != "Ship the console" {
		t.Errorf("the sandbox's build #%s is %+v", next, rebuilt)
	}
	var writes []string
	for _, w := range d.env.Writes() {
		writes = append(writes, w.Method+" "+w.Path)
	}
	want := []string{
		"POST /v2/organizations/acme/pipelines/deploy-production/builds",
		"PUT /v2/organizations/acme/pipelines/deploy-production/builds/" + strconv.Itoa(made.Number) + "/cancel",
		"PUT /v2/organizations/acme/pipelines/deploy-production/builds/" + strconv.Itoa(made.Number) + "/rebuild",
	}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("the writes were\n%s\nwant\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
	}
}

// A block step is unblocked with its fields, which become the build's
// meta-data.
func TestUnblockABlockStepWithItsFields(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	b := d.build("deploy-production", 3)
	if !b.Blocked {
		t.Fatalf("deploy-production #3 is not blocked: %s", b.State)
	}
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
	d.waitFor("deploy-production #3", "⏸ blocked", "Release?")
	d.keys("/")
	d.typeText("release")
	d.keys("enter", "u")
	d.waitFor("Unblock", "Release name *", "Environment *")
	d.formKeys("enter") // the note
	d.typeText("v2.0 canary")
	d.formKeys("enter")
	d.formKeys("down", "enter") // Production
	d.waitFor("unblocked")
	after := d.build("deploy-production", 3)
	var job model.Job
	for _, j := range after.Jobs {
		if j.Type == model.JobManual {
			job = j
		}
	}
	if job.State != model.JobUnblocked {
		t.Errorf("the block step is %s", job.State)
	}
	if after.MetaData["release-name"] != "v2.0 canary" || after.MetaData["environment"] != "production" {
		t.Errorf("the build's meta-data is %v", after.MetaData)
	}
}

// A block step that is not in the pipeline's YAML (a pipeline uploaded
// from its repository: Buildkite's REST jobs carry no fields) is
// unblocked with free key=value fields, which become the build's
// meta-data as they were typed.
func TestUnblockAStepNotInTheYAMLWithFreeFields(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	if _, err := d.env.Client.UpdatePipeline(context.Background(), "deploy-production",
		model.PipelineUpdate{Configuration: model.Set("steps:\n  - command: buildkite-agent pipeline upload\n")}); err != nil {
		t.Fatal(err)
	}
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
	d.waitFor("deploy-production #3", "⏸ blocked", "Release?")
	d.keys("/")
	d.typeText("release")
	d.keys("enter", "u")
	d.waitFor("Unblock", "not in the pipeline's YAML", "key=value, one a line")
	d.typeText("release-name=v3")
	d.keys("ctrl+j")
	d.typeText("environment")
	d.formKeys("enter")
	d.waitFor("line 2: write a field as key=value")
	for _, w := range d.writes() {
		if strings.HasSuffix(w, "/unblock") {
			t.Fatalf("sent with a line that is not key=value: %q", w)
		}
	}
	d.typeText("=staging")
	d.formKeys("enter")
	d.waitFor("unblocked")
	after := d.build("deploy-production", 3)
	if after.MetaData["release-name"] != "v3" || after.MetaData["environment"] != "staging" {
		t.Errorf("the build's meta-data is %v", after.MetaData)
	}
}

// Read-only mode turns every build action down before anything is asked
// or sent; a token without the write scope gets the API's 403, which
// names the scope.
func TestBuildActionsAreRefusedInReadOnlyModeAndNameAMissingScope(t *testing.T) {
	t.Parallel()
	t.Run("read-only", func(t *testing.T) {
		d, _ := liveDriver(t, driverOptions{width: 160, height: 48, readOnly: true})
		d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 4) })
		d.waitFor("deploy-production #4", "STEP")
		for _, k := range []string{"C", "R", "F", "t", "u"} {
			d.keys(k)
			d.waitShown("read-only mode")
			d.settle()
		}
		if w := d.env.Writes(); len(w) != 0 {
			t.Errorf("read-only mode sent %v", w)
		}
	})
	t.Run("no write_builds", func(t *testing.T) {
		d, _ := liveDriver(t, driverOptions{width: 160, height: 48, readScopesOnly: true})
		d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 4) })
		d.waitFor("deploy-production #4", "STEP")
		d.keys("R")
		d.waitFor("Rebuild deploy-production #4?")
		d.keys("y")
		d.waitFor("the write_builds scope")
	})
	t.Run("no read_builds", func(t *testing.T) {
		forbid := func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.URL.Path, "/builds") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusForbidden)
					_, _ = w.Write([]byte(`{"message":"Forbidden"}`))
					return
				}
				h.ServeHTTP(w, r)
			})
		}
		d, _ := liveDriver(t, driverOptions{width: 160, height: 48, wrap: forbid})
		p := d.pipeline("deploy-production")
		d.open(func(c *common.Common) common.Screen { return screen.NewPipelineBuildsScreen(c, p) })
		frame := d.waitFor("could not load builds", "the read_builds scope", "r tries again")
		if !strings.Contains(rowOf(frame, "the read_builds scope"), "could not load builds") {
			t.Errorf("the missing scope is not said where the builds would be:\n%s", frame)
		}
		d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 4) })
		d.waitFor("could not load the build", "the read_builds scope")
	})
	t.Run("no read_build_logs", func(t *testing.T) {
		forbid := func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/log") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusForbidden)
					_, _ = w.Write([]byte(`{"message":"Forbidden"}`))
					return
				}
				h.ServeHTTP(w, r)
			})
		}
		d, _ := liveDriver(t, driverOptions{width: 160, height: 48, wrap: forbid})
		d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 4) })
		d.waitFor("deploy-production #4", "STEP")
		d.keys("enter")
		d.waitFor("could not read the log", "the read_build_logs scope")
	})
}

// The requests each step costs, counted at the sandbox (docs/PERFORMANCE.md).
func TestRequestsToOpenAPipelinesBuildsABuildAndALog(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	p := d.pipeline("deploy-production")
	count := func(what string, want int, step func()) {
		t.Helper()
		d.settle()
		d.env.Sandbox.ResetRequests()
		step()
		d.settle()
		var paths []string
		for _, r := range d.env.Sandbox.Requests() {
			paths = append(paths, r.Method+" "+r.Path)
		}
		t.Logf("%s: %d requests %v", what, len(paths), paths)
		if len(paths) != want {
			t.Errorf("%s took %d requests, want %d: %v", what, len(paths), want, paths)
		}
	}
	count("open a pipeline on its Builds tab", 2, func() {
		d.open(func(c *common.Common) common.Screen { return screen.NewPipelineBuildsScreen(c, p) })
		d.waitFor("Builds (5)")
	})
	count("a timer's refresh of the Builds tab", 1, func() {
		d.p.Send(common.RefreshMsg{Auto: true, Tick: 1})
		d.waitFor("Builds (5)")
	})
	count("open a build", 1, func() {
		d.keys("G", "k", "k", "enter") // #3
		d.waitFor("deploy-production #3", "EXIT")
	})
	count("open a job's log", 1, func() {
		d.keys("enter")
		d.waitFor("T shows timestamps", "✔ Done")
	})
}

// A failed build's failed jobs retried, then one job retried on its own;
// the sandbox has the new jobs.
func TestRetryFailedJobsAndRetryAJob(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	before := d.build("deploy-production", 4)
	if before.State != model.BuildFailed {
		t.Fatalf("deploy-production #4 is %s, not failed", before.State)
	}
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 4) })
	d.waitFor("deploy-production #4", "✗ failed", "EXIT")
	// The upload failed (exit 1): t retries it alone.
	d.keys("g", "t")
	d.waitFor("Retry Upload?") // an image-only shortcode beside words is left out
	d.keys("y")
	d.waitFor("retried Upload")
	// The build lists each step's newest attempt (retried ones only with
	// include_retried_jobs): the upload's is a new job, made from the old.
	after := d.build("deploy-production", 4)
	var again *model.Job
	for k, j := range after.Jobs {
		if j.RetrySource != nil && j.RetrySource.JobID == before.Jobs[0].ID {
			again = &after.Jobs[k]
		}
	}
	if again == nil || again.ID == before.Jobs[0].ID || model.JobFinished(again.State) {
		t.Errorf("no new attempt of the upload: %+v", again)
	}
	// F on another failed build retries every failed job of it.
	d.keys("esc")
	b2 := d.build("deploy-production", 2)
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 2) })
	d.waitFor("deploy-production #2", "EXIT")
	d.keys("F")
	d.waitFor("Retry the failed jobs of deploy-production #2?")
	d.keys("y")
	d.waitFor("deploy-production #2: ", "retried")
	failed := map[string]bool{}
	for _, j := range b2.Jobs {
		if j.State == model.JobFailed {
			failed[j.ID] = true
		}
	}
	retried := 0
	for _, j := range d.build("deploy-production", 2).Jobs {
		if j.RetrySource != nil && failed[j.RetrySource.JobID] {
			retried++
		}
	}
	if len(failed) == 0 || retried != len(failed) {
		t.Errorf("%d of the build's %d failed jobs were retried", retried, len(failed))
	}
	want := []string{
		"PUT /v2/organizations/acme/pipelines/deploy-production/builds/4/jobs/" + before.Jobs[0].ID + "/retry",
		"PUT /v2/organizations/acme/pipelines/deploy-production/builds/2/retry_failed_jobs",
	}
	var writes []string
	for _, w := range d.env.Writes() {
		writes = append(writes, w.Method+" "+w.Path)
	}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("the writes were\n%s\nwant\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
	}
}

// selectedLine is the row under the cursor ("" when none is).
func selectedLine(frame string) string {
	for _, line := range strings.Split(frame, "\n") {
		if rest, ok := strings.CutPrefix(line, "› "); ok {
			return rest
		}
	}
	return ""
}

// After n or R on a pipeline's Builds tab the cursor is on the new build,
// and after t on a build's job it is on that job's new attempt: it stayed
// on the row it was on, another build or another job (issue 29).
func TestTheCursorFollowsWhatWasJustMadeOrRetried(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	p := d.pipeline("deploy-production")
	d.open(func(c *common.Common) common.Screen { return screen.NewPipelineBuildsScreen(c, p) })
	d.waitFor("Builds (", "MESSAGE")
	d.keys("j", "j") // away from the newest
	d.keys("n")
	d.waitFor("New build of deploy-production", "Branch")
	d.formKeys("enter", "enter")
	d.typeText("Cursor on me")
	d.formKeys("enter", "enter")
	frame := d.waitFor("started deploy-production #", "Cursor on me")
	if line := selectedLine(frame); !strings.Contains(line, "Cursor on me") {
		t.Fatalf("after n the cursor is on %q:\n%s", line, frame)
	}
	d.keys("j", "R")
	d.waitFor("Rebuild deploy-production #")
	d.keys("y")
	d.waitFor("rebuilt deploy-production #")
	latest, err := d.env.Client.RecentBuilds(context.Background(), p.Slug, model.BuildFilter{}, 1)
	if err != nil || len(latest) != 1 {
		t.Fatalf("no build: %v", err)
	}
	d.waitUntil("selected the rebuild", true, func(f string) bool {
		return strings.HasPrefix(selectedLine(f), strconv.Itoa(latest[0].Number)+" ")
	})

	// t on a job: the cursor goes to its new attempt.
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 4) })
	d.waitFor("deploy-production #4", "✗ failed", "EXIT")
	d.keys("g", "t")
	d.waitFor("Retry Upload?") // an image-only shortcode beside words is left out
	d.keys("y")
	d.waitFor("retried Upload")
	d.waitUntil("selected the new attempt", true, func(f string) bool {
		line := selectedLine(f)
		return strings.Contains(line, "Upload") && !strings.Contains(line, "failed")
	})
}
