package ui

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
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
