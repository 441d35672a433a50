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

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// holder holds the GETs whose path a test names until it lets them go,
// and records those whose client gave up on them meanwhile.
type holder struct {
	mu      sync.Mutex
	match   func(path string) bool
	release chan struct{}
	held    atomic.Int32
	given   atomic.Int32
}

func newHolder() *holder { return &holder{release: make(chan struct{})} }

func (h *holder) hold(match func(path string) bool) {
	h.mu.Lock()
	h.match = match
	h.mu.Unlock()
}

func (h *holder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		match := h.match
		h.mu.Unlock()
		if r.Method == http.MethodGet && match != nil && match(r.URL.Path) {
			h.held.Add(1)
			select {
			case <-r.Context().Done():
				h.given.Add(1)
				return
			case <-h.release:
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isClusterRead is a cluster's own GET (.../clusters/ID).
func isClusterRead(path string) bool {
	i := strings.Index(path, "/clusters/")
	return i >= 0 && !strings.Contains(path[i+len("/clusters/"):], "/")
}

// eventuallyTrue polls cond for a hang's bound, not a timing.
func eventuallyTrue(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// A palette jump opens only what it jumps to: the pipeline's cluster,
// stacked under it for the breadcrumbs and esc, loads when it is shown,
// not before (issue 28: a jump to a pipeline loaded its cluster screen
// underneath, 14–15 requests).
func TestAPaletteJumpReadsOnlyItsTarget(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("checkout")
	d.waitFor("pipeline  Checkout")
	d.env.Sandbox.ResetRequests()
	d.keys("enter")
	d.waitFor("acme › Production › Checkout")
	reqs := d.env.Sandbox.Requests()
	var paths []string
	for _, r := range reqs {
		paths = append(paths, r.Method+" "+r.Path)
		if strings.Contains(r.Path, "/clusters") {
			t.Errorf("the jump read the cluster under its target: %s", r.Path)
		}
	}
	if len(reqs) > 3 {
		t.Errorf("%d requests until the pipeline showed, want at most 3: %v", len(reqs), paths)
	}
	t.Logf("a palette jump to a pipeline: %d requests until it shows: %v", len(reqs), paths)
	// Shown, the cluster loads.
	d.env.Sandbox.ResetRequests()
	d.keys("esc")
	d.waitFor("acme › Production", "Queues")
	read := false
	for _, r := range d.env.Sandbox.Requests() {
		read = read || strings.Contains(r.Path, "/clusters/")
	}
	if !read {
		t.Fatal("the cluster, shown, was not read")
	}
}

// A screen covered by another stops reading: its read in flight is
// given up when a queue is opened over it.
func TestACoveredScreenStopsReading(t *testing.T) {
	t.Parallel()
	h := newHolder()
	d := startDriver(t, driverOptions{width: 120, height: 30, wrap: h.wrap})
	t.Cleanup(func() { close(h.release) })
	d.waitFor("Mobile", "PAUSED")
	// The Mobile cluster's own read (GET .../clusters/ID) is held.
	h.hold(isClusterRead)
	d.keys("/")
	d.typeText("mobile")
	d.keys("enter", "enter")
	d.waitShown("macos-large", "Queues (3)")
	eventuallyTrue(t, "the cluster's read reached the sandbox", func() bool { d.frame(); return h.held.Load() >= 1 })
	d.keys("/")
	d.typeText("macos-large")
	d.keys("enter", "enter")
	d.waitShown("acme › Mobile › macos-large")
	eventuallyTrue(t, "the covered cluster screen gave up its read", func() bool { d.frame(); return h.given.Load() == 1 })
}

// r pressed fifteen times while its reload is in flight reloads once
// (issue 28: fifteen presses queued 54 loads): it costs what one r does.
func TestRIsFoldedIntoTheReloadInFlight(t *testing.T) {
	t.Parallel()
	h := newHolder()
	d := startDriver(t, driverOptions{width: 120, height: 30, size: sandbox.SizeDemo, wrap: h.wrap})
	openMobile(d)
	d.env.Sandbox.ResetRequests()
	d.keys("r")
	d.waitFor("macos-large", "Queues (3)")
	one := len(d.env.Sandbox.Requests())
	d.env.Sandbox.ResetRequests()
	h.hold(isClusterRead)
	for range 15 {
		d.keys("r")
	}
	eventuallyTrue(t, "r's reload reached the sandbox", func() bool { d.frame(); return h.held.Load() >= 1 })
	h.hold(nil)
	close(h.release)
	d.waitFor("macos-large", "Queues (3)")
	if n := len(d.env.Sandbox.Requests()); n != one {
		t.Fatalf("15 presses of r made %d requests; one r makes %d", n, one)
	}
	t.Logf("r: %d requests; r ×15 during its reload: the same", one)
}

func logReads(d *driver) int {
	n := 0
	for _, r := range d.env.Sandbox.Requests() {
		if strings.Contains(r.Path, "/log") {
			n++
		}
	}
	return n
}

// A followed log is read as a person's look: with the organisation's
// window down below the reserve, where background refreshes and bulk
// reads stop, the follower still reads on its interval (issue 28: it was
// read at +1, +4, +7 s, then not until +55 s).
func TestAFollowedLogReadsAtTheReserve(t *testing.T) {
	t.Parallel()
	// 20 a minute: the reserve is 10, the change reserve 5.
	d, clock := liveDriver(t, driverOptions{width: 120, height: 30, rateLimit: sandbox.RateLimit{Limit: 20, Window: time.Minute}})
	slug, number, job := runningJob(t, d)
	d.open(func(c *common.Common) common.Screen { return screen.NewJobLogScreen(c, slug, number, job) })
	d.waitFor("following")
	// Another client of the same token spends the window down to 9.
	for d.env.Client.Budget().Org.Remaining > 9 || !d.env.Client.Budget().Org.Known {
		if _, err := d.env.Client.ListClusters(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	d.env.Sandbox.ResetRequests()
	for _, step := range []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second} {
		clock.Add(step)
		d.settle()
	}
	if n := logReads(d); n < 3 {
		t.Fatalf("%d reads of the followed log in its first 21 s at the reserve, want 3 (+3, +9, +21 s)", n)
	}
}

// Idle on a followed log for three minutes, the job printing all along,
// costs at most 5 requests a minute: the follower reads 3 s after the
// first read, then twice as long each time up to 15 s.
func TestIdleOnAFollowedLog(t *testing.T) {
	t.Parallel()
	var long longLog
	d, clock := liveDriver(t, driverOptions{width: 120, height: 30, wrap: long.wrap})
	slug, number, job := runningJob(t, d)
	long.lines.Store(100)
	long.jobID.Store(job.ID)
	d.env.Sandbox.ResetRequests()
	d.open(func(c *common.Common) common.Screen { return screen.NewJobLogScreen(c, slug, number, job) })
	d.waitFor("following")
	for range 180 {
		long.lines.Add(1)
		clock.Add(time.Second)
		d.settle()
	}
	// The log's reads are answered by the wrap, the rest by the sandbox.
	n := len(d.env.Sandbox.Requests()) + int(long.requests.Load())
	t.Logf("idle 3 min on a followed log: %d requests, %.2f/min (%d reads of the log)", n, float64(n)/3, long.requests.Load())
	if n > 15 {
		t.Fatalf("%d requests in 3 minutes on a followed log, want at most 15", n)
	}
	if long.requests.Load() < 10 {
		t.Fatalf("%d reads of the log in 3 minutes", long.requests.Load())
	}
}

// A pipeline's name typed in :pipelines' filter at 200 or 300 ms a key,
// in the large organisation under both windows, asks the server once
// (the bound is twice): the debounce waits for the pause the
// typing makes at its end, not for 150 ms after each key (which asked
// for "web" and then "web s" or "web stream", the answer to the longer
// text sparing the rest).
func TestANameTypedAtAPersonsPaceAsksAtMostTwice(t *testing.T) {
	t.Parallel()
	name := lastLargePipeline(t)
	for _, pace := range []time.Duration{200 * time.Millisecond, 300 * time.Millisecond} {
		t.Run(pace.String(), func(t *testing.T) {
			t.Parallel()
			clock := sandboxtest.NewClock()
			env := sandboxtest.Start(t, incidentOptions(clock), nil)
			d := startConsole(t, env, clock, 120, 30)
			d.waitFor("payments-01")
			d.keys(":")
			d.typeText("pipelines")
			d.keys("enter")
			d.keys("/")
			d.settle()
			from := len(env.Sandbox.Requests())
			for _, r := range name {
				d.keys(string(r))
				d.advance(pace)
			}
			d.advance(screen.MaxFilterDebounce)
			d.waitShown("› " + name)
			var asked []string
			for _, r := range env.Sandbox.Requests()[from:] {
				asked = append(asked, r.Path)
			}
			t.Logf("%q typed at %s a key: %d requests %v", name, pace, len(asked), asked)
			if len(asked) > 1 {
				t.Fatalf("%d requests for a name typed at %s a key, want 1: %v", len(asked), pace, asked)
			}
		})
	}
}

// A screen whose first load waits for the user's window says so where
// its rows will be, naming the window: "waiting for the API budget (you)
// · 59 s".
func TestALoadWaitingForTheBudgetSaysSoWhereItsRowsWillBe(t *testing.T) {
	t.Parallel()
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, incidentOptions(clock), nil)
	d := startConsole(t, env, clock, 120, 30)
	d.waitFor("payments-01")
	// Another client of the same user spends the user's window down to 9:
	// a person's looks stop above the 10 kept for changes.
	for {
		req, _ := http.NewRequest(http.MethodGet, env.Server.URL+"/v2/organizations/"+env.Sandbox.Org()+"/clusters", nil)
		resp, _ := env.Do(t, req)
		if n, err := strconv.Atoi(resp.Header.Get("RateLimit-User-Remaining")); err != nil || n <= 9 {
			break
		}
	}
	// The console learns it from its next reply, then waits.
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.keys("esc")
	d.keys(":")
	d.typeText("paused")
	d.keys("enter")
	frame := d.waitShown("waiting for the API budget (you) · ")
	if !strings.Contains(frame, "loading ") {
		t.Fatalf("the wait is not said where the rows will be:\n%s", frame)
	}
}

// Idle three minutes on a pipeline's builds, the timer at its default
// 30 s: at most 5 REST requests a minute.
func TestIdleOnAPipelinesBuilds(t *testing.T) {
	t.Parallel()
	clock := sandboxtest.NewClock()
	d := startDriver(t, driverOptions{width: 120, height: 30, clock: clock, refresh: 30 * time.Second})
	d.waitFor("Production", "DEFAULT QUEUE")
	d.keys(":")
	d.typeText("checkout")
	d.waitFor("pipeline  Checkout")
	d.keys("enter")
	d.waitFor("acme › Production › Checkout")
	d.env.Sandbox.ResetRequests()
	for range 180 {
		clock.Add(time.Second)
		d.settle()
	}
	n := len(d.env.Sandbox.Requests())
	t.Logf("idle 3 min on a pipeline's builds: %d requests, %.2f/min", n, float64(n)/3)
	if n > 15 {
		t.Fatalf("%d requests in 3 minutes idle on a pipeline's builds, want at most 15", n)
	}
}
