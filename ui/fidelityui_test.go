package ui

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// An agent paused with no timeout is resumed by Buildkite after its
// default of 5 minutes: the form says so, and the queue's agents and
// :paused show when it ends, not "until resumed".
func TestAnAgentPausedWithoutATimeoutEndsAfterBuildkitesDefault(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{clock: sandboxtest.NewClock(), width: 160, height: 48})
	frame := openQueue(d, "Production", "default")
	name := selectedAgent(t, frame)
	d.keys("z") // an agent's pause (p is the queue's)
	d.waitFor("Pause "+name, "empty: 5 minutes (Buildkite's default)")
	d.typeText("reboot")
	d.formKeys("enter", "enter")
	d.waitFor(name + " paused")
	a := sandboxAgent(t, d, name)
	if !a.Paused || model.Value(a.PausedTimeoutInMinutes) != model.DefaultAgentPauseMinutes {
		t.Fatalf("the sandbox's agent is not paused for Buildkite's default: %+v", a)
	}
	d.waitFor("‖ paused · ends in 5m")
	d.keys(":")
	d.typeText("paused")
	d.keys("enter")
	d.waitFor("Paused queues and agents", name, "ends in 5m")
}

// runningJob is a running job of the sandbox's, with its build.
func runningJob(t *testing.T, d *driver) (slug string, number int, job model.Job) {
	t.Helper()
	running, err := d.env.Client.RecentBuilds(context.Background(), "", model.BuildFilter{States: []string{model.BuildRunning}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range running {
		for _, j := range b.Jobs {
			if j.State == model.JobRunning {
				return b.Pipeline.Slug, b.Number, j
			}
		}
	}
	t.Fatal("the sandbox has no running job")
	return "", 0, model.Job{}
}

// A server (or a proxy before it) that ignores Range answers a tail read
// with the whole log: the tail is shown, following stops (each read
// would fetch the whole log), and the screen says why.
func TestALogWhoseServerIgnoresRangeIsNotFollowed(t *testing.T) {
	t.Parallel()
	var long longLog
	ignoreRange := func(next http.Handler) http.Handler {
		next = long.wrap(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Del("Range")
			next.ServeHTTP(w, r)
		})
	}
	d, _ := liveDriver(t, driverOptions{width: 120, height: 30, wrap: ignoreRange})
	slug, number, job := runningJob(t, d)
	long.lines.Store(2000) // about 160 KB: more than a tail read asks for
	long.jobID.Store(job.ID)
	d.open(func(c *common.Common) common.Screen { return screen.NewJobLogScreen(c, slug, number, job) })
	d.waitFor("the server ignores Range: following stopped", "TestLine1999 ")
	after := long.requests.Load()
	for range 5 {
		long.lines.Add(3)
		d.advance(10 * time.Second)
	}
	d.settle()
	if n := long.requests.Load(); n != after {
		t.Errorf("%d more reads of the log after following stopped", n-after)
	}
	d.keys("f")
	d.waitShown("the server ignores Range: following stopped (r reads the log again)")
}

// A job that has not started has no log: the API's 404 reads "no log
// yet", not an error.
func TestAJobWithNoLogYetSaysSo(t *testing.T) {
	t.Parallel()
	// Buildkite answers 404 for a job that has no log yet (go-buildkite's
	// JobLogExists); the sandbox serves an empty log.
	var noLog atomic.Value
	notYet := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if id, _ := noLog.Load().(string); id != "" && strings.HasSuffix(r.URL.Path, "/jobs/"+id+"/log") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"message":"Not Found"}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	d, _ := liveDriver(t, driverOptions{width: 120, height: 30, wrap: notYet})
	builds, err := d.env.Client.RecentBuilds(context.Background(), "", model.BuildFilter{States: model.BuildActiveStates}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var slug string
	var number int
	var job model.Job
	for _, b := range builds {
		for _, j := range b.Jobs {
			if j.Type == model.JobScript && model.JobWaitingForAgent(j.State) && job.ID == "" {
				slug, number, job = b.Pipeline.Slug, b.Number, j
			}
		}
	}
	if job.ID == "" {
		t.Fatal("the sandbox has no waiting job")
	}
	noLog.Store(job.ID)
	if _, err := d.env.Client.JobLog(context.Background(), slug, number, job.ID); !errors.Is(err, api.ErrNoLogYet) {
		t.Fatalf("the log of a job without one: %v, want api.ErrNoLogYet", err)
	}
	d.open(func(c *common.Common) common.Screen { return screen.NewJobLogScreen(c, slug, number, job) })
	frame := d.waitFor("no log yet")
	if strings.Contains(frame, "could not read the log") {
		t.Errorf("a job with no log yet is shown as an error:\n%s", frame)
	}
}

// :builds reads one page of the newest builds: when the API's Link says
// more match, the screen says how many it shows of about how many.
func TestBuildsSaysWhenMoreMatch(t *testing.T) {
	t.Parallel()
	morePages := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/organizations/acme/builds" {
				u := "http://" + r.Host + r.URL.Path + "?per_page=100&page="
				w.Header().Set("Link", "<"+u+"2>; rel=\"next\", <"+u+"25>; rel=\"last\"")
			}
			next.ServeHTTP(w, r)
		})
	}
	d, _ := liveDriver(t, driverOptions{width: 120, height: 30, wrap: morePages})
	d.keys(":")
	d.typeText("builds")
	d.keys("enter")
	d.waitFor("Running, scheduled and failing builds", "PIPELINE", "first 100 of about 2,401, newest first")
}

// Renaming a pipeline changes its slug (pipelines.md: the slug follows
// the name unless one is given): the form says the slug it will get, the
// review lists it, and the screen follows the pipeline to its new slug.
func TestRenamingAPipelineShowsAndFollowsItsNewSlug(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	openPipeline(d, "checkout", "Checkout")
	d.keys("e")
	d.waitFor("What do you want to change?", "slug checkout · ")
	d.formKeys("enter") // General
	d.waitFor("Name")
	d.keys("ctrl+u")
	d.typeText("Checkout Service")
	d.waitFor("slug checkout → checkout-service (it follows the name)")
	var frame string
	for range 12 {
		if frame, _ = d.frame(); strings.Contains(frame, "Send 2 changes?") {
			break
		}
		d.formKeys("enter")
	}
	frame = d.waitFor("Send 2 changes?")
	if !strings.Contains(frame, "Slug: checkout → checkout-service") {
		t.Fatalf("the review does not say the new slug:\n%s", frame)
	}
	d.keys("enter")
	d.waitFor("updated pipeline Checkout Service")
	d.waitFor("Slug              checkout-service")
	d.keys("tab")
	d.waitFor("Builds (", "no builds")
	read := false
	for _, r := range d.env.Sandbox.Requests() {
		read = read || (strings.HasPrefix(r.Path, "/v2/organizations/acme/pipelines/checkout-service/builds") && r.Status == http.StatusOK)
	}
	if !read {
		t.Error("the builds were not read under the new slug")
	}
}

// A pause note longer than Buildkite takes (1,000 characters: its 422
// "Note is too long") is neither cut silently nor sent: the prompt says
// so and keeps the text until it is shortened.
func TestATooLongPauseNoteIsSaidNotCut(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 200, height: 30})
	openMobile(d)
	d.keys("p")
	d.waitFor("Note (why?")
	d.p.Send(tea.PasteMsg{Content: strings.Repeat("disk full ", 120)}) // 1,200 characters
	d.keys("enter")
	d.waitFor("the note has 1,199 characters; Buildkite takes at most 1,000")
	for _, w := range d.writes() {
		t.Fatalf("sent with a note too long: %q", w)
	}
	for range 200 {
		d.keys("backspace")
	}
	d.keys("enter")
	d.waitFor("default paused")
	_, q := findQueue(t, d, "Mobile", "default")
	if n := len(model.Value(q.DispatchPausedNote)); !q.DispatchPaused || n != 999 {
		t.Fatalf("the queue is paused %v with a note of %d characters, want 999 (what was left)", q.DispatchPaused, n)
	}
}

// A server that ignores the agents list's cluster_queue_id filter hands
// over every queue's agents: the queue screen shows its own, and says
// that others were left out, so that marks and stops cannot reach them.
func TestAQueueLeavesOutAnotherQueuesAgents(t *testing.T) {
	t.Parallel()
	ignoreFilter := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/agents") {
				q := r.URL.Query()
				q.Del("cluster_queue_id")
				r.URL.RawQuery = q.Encode()
			}
			next.ServeHTTP(w, r)
		})
	}
	d := startDriver(t, driverOptions{clock: sandboxtest.NewClock(), width: 160, height: 48, wrap: ignoreFilter})
	_, q := queueOf(t, d, "Production", "linux-large")
	own := sandboxAgents(d, q.ID)
	frame := openQueue(d, "Production", "linux-large")
	frame = d.waitFor("Agents ("+strconv.Itoa(len(own))+")", "agents could not be read: agent ", " is registered to queue ")
	for _, a := range sandboxAgentsAll(t, d) {
		if id, ok := a.ClusterQueueID(); ok && id != q.ID && strings.Contains(frame, a.Name+"  ") {
			t.Errorf("agent %s of another queue is shown", a.Name)
		}
	}
}

func sandboxAgentsAll(t *testing.T, d *driver) []model.Agent {
	t.Helper()
	all, err := d.env.Client.ListAgents(context.Background(), model.AgentListFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// A build whose reply holds a job this console cannot read shows the
// jobs it could read, and says how many it could not: the build is not
// blanked by one job (go-buildkite itself had to change a job field's
// type after real replies broke it).
func TestABuildWithAnUnreadableJobShowsTheRest(t *testing.T) {
	t.Parallel()
	breakJob := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v2/organizations/acme/pipelines/deploy-production/builds/3" {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			// The first job's state as a number: a shape not known here.
			body := strings.Replace(rec.Body.String(), `"state":"`, `"state":7,"was":"`, 2)
			body = strings.Replace(body, `"state":7,"was":"`, `"state":"`, 1) // the build's own state stays
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write([]byte(body))
		})
	}
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48, wrap: breakJob})
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
	d.waitFor("deploy-production #3", "1 job could not be read", "Release?")
}
