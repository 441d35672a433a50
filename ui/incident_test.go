package ui

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// The incident path runs on the `large` organisation (10,000 pipelines)
// with both of Buildkite's windows at their defaults and a distant API:
// --rate-limit 200/1m --user-rate-limit 50/1m --latency 30ms. The windows
// run on a clock the test holds (sandboxtest.Clock), shared by the
// sandbox and the client's budget.
func incidentOptions(clock *sandboxtest.Clock) sandbox.Options {
	return sandbox.Options{Size: sandbox.SizeLarge, Latency: 30 * time.Millisecond, Clock: sandboxtest.RealTimers(clock),
		RateLimit:     sandbox.RateLimit{Limit: 200, Window: time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 50, Window: time.Minute}}
}

// startConsole runs the console against env, as startDriver does with a
// sandbox of its own, on clock.
func startConsole(t testing.TB, env *sandboxtest.Env, clock *sandboxtest.Clock, width, height int) *driver {
	t.Helper()
	wire := newInFlight()
	client := env.ClientWith(t, api.Config{Clock: clock, HTTPClient: &http.Client{Transport: wire}})
	d := startModel(t, env, clock, Options{Client: client, Now: clock.Now, Demo: true, Dark: true}, width, height)
	d.http = wire
	return d
}

// pipelineLists counts the requests for the pipelines list (any page or
// filter) from the log's from-th request on.
func pipelineLists(env *sandboxtest.Env, from int) int {
	n := 0
	log := env.Sandbox.Requests()
	for _, r := range log[min(from, len(log)):] {
		if r.Method == http.MethodGet && strings.HasSuffix(strings.SplitN(r.Path, "?", 2)[0], "/pipelines") {
			n++
		}
	}
	return n
}

func refusals(env *sandboxtest.Env) int {
	n := 0
	for _, r := range env.Sandbox.Requests() {
		if r.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// incident is one run of the incident path: what it cost and how soon
// the pause reached the API.
type incident struct {
	// pauseAfter is the time on the test's clock (which the budget's
	// waits run on) from the enter that sends the pause to the sandbox's
	// seeing it; pauseWall is the same in wall time.
	pauseAfter, pauseWall time.Duration
	requests              int
	refused               int
	// pipelineLists counts the requests for the pipelines list.
	pipelineLists int
}

// runIncidentPath is the incident path of issue 16: a cold start,
// :pipelines, G, r, r, a filter, back out, open a cluster, pause a queue
// with a note.
func runIncidentPath(tb testing.TB) incident {
	tb.Helper()
	// A cold start: the console's pipelines index is its own (startModel).
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(tb, incidentOptions(clock), nil)
	d := startConsole(tb, env, clock, 120, 30)
	d.waitFor("payments-01")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("more as you scroll")
	d.keys("G")
	d.waitFor("Pipelines  10,000 · ")
	// (The large organisation's reads may wait for the window to reset:
	// caught up, not idle, before the next key.)
	d.keys("r")
	d.catchUp()
	d.keys("r")
	d.catchUp()
	d.keys("/")
	d.typeText("payments core")
	d.advance(screen.FilterDebounce)
	d.waitFor("› payments core")
	d.keys("esc", "esc")
	d.waitFor("payments-01")
	d.keys("enter")
	// Shown, not idle: on the large organisation the AGENTS column's list
	// of agents is a bulk read that may wait for the window to reset.
	d.waitShown("Queues (", "default")
	// The first queue of the cluster that is not paused: p pauses it.
	// The queues reach org as the screen takes them in: ask until they have.
	k := ""
	d.waitUntil("took in payments-01's queues", false, func(string) bool {
		for _, e := range d.app.c.Org.Queues() {
			if cl, ok := d.app.c.Org.Cluster(e.ClusterID); ok && cl.Name == "payments-01" && !e.Queue.DispatchPaused {
				k = e.Queue.Key
				return true
			}
		}
		return false
	})
	if k == "" {
		tb.Fatal("payments-01 has no queue to pause")
	}
	d.keys("/")
	d.typeText(k)
	d.keys("enter")
	d.catchUp()
	d.keys("p")
	d.typeText("incident 42: stop the deploys")
	d.catchUp()
	from := len(env.Sandbox.Requests())
	start, simStart := time.Now(), clock.Now()
	d.keys("enter")
	var out incident
	d.waitUntil("sent the pause", false, func(string) bool {
		for _, r := range env.Sandbox.Requests()[from:] {
			if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/pause_dispatch") {
				out.pauseAfter, out.pauseWall = clock.Now().Sub(simStart), time.Since(start)
				if r.Status != http.StatusOK {
					tb.Fatalf("the pause was answered %d", r.Status)
				}
				return true
			}
		}
		return false
	})
	d.waitShown(k + " paused")
	out.requests, out.refused, out.pipelineLists = len(env.Sandbox.Requests()), refusals(env), pipelineLists(env, 0)
	return out
}

// The incident path on the large organisation under both windows: the
// pause reaches the API within a second of enter, and nothing is refused.
func TestIncidentPath(t *testing.T) {
	t.Parallel()
	got := runIncidentPath(t)
	t.Logf("pause reached the API %s after enter (%s of wall time); %d requests (%d for the pipelines list), %d refused",
		got.pauseAfter, got.pauseWall.Round(time.Millisecond), got.requests, got.pipelineLists, got.refused)
	if got.pauseAfter > time.Second {
		t.Errorf("the pause took %s to reach the API, want under 1s", got.pauseAfter)
	}
	if got.refused > 0 {
		t.Errorf("%d requests were refused (429)", got.refused)
	}
	if got.requests > 50 {
		t.Errorf("%d requests: more than the user's window of 50", got.requests)
	}
}

// BenchmarkIncidentPath reports the time from enter to the pause reaching
// the API, and what the whole path cost.
func BenchmarkIncidentPath(b *testing.B) {
	var after time.Duration
	var requests, refused int
	for i := 0; i < b.N; i++ {
		got := runIncidentPath(b)
		after += got.pauseWall
		requests += got.requests
		refused += got.refused
	}
	b.ReportMetric(float64(after.Microseconds())/float64(b.N)/1000, "ms/pause-reached")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/path")
	b.ReportMetric(float64(refused)/float64(b.N), "429s/path")
}

// walkKeys are what the random walk presses: every key that moves about
// the console, opens screens, filters, refreshes or marks, and none that
// changes something (p, e, n, a, d): the walk types no confirmation.
var walkKeys = []string{
	"j", "j", "j", "k", "k", "up", "down", "down", "g", "G", "enter", "enter", "enter", "esc", "esc", "esc",
	"tab", "shift+tab", "/", "space", "H", "?", "r", "r", ":", "pgdown",
	"c", "backspace", "b", "s", "m", "o", "l", "i", "1", "-", "0", "u", "t",
}

// After a seeded random walk of 2,000 keys over every screen of the large
// organisation, under both windows and on a clock that moves with the
// walk, a pause still reaches the API within a second, unrefused: no
// sequence of keys leaves a change waiting.
func TestPauseGetsThroughAfterARandomWalk(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the walk takes a while")
	}
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, incidentOptions(clock), nil)
	d := startConsole(t, env, clock, 120, 30)
	d.waitFor("payments-01")
	rng := rand.New(rand.NewPCG(16, 2026))
	screens := map[string]bool{}
	for i := 0; i < 2000; i++ {
		if rng.IntN(100) < 3 {
			// Now and then the palette, to a screen by name.
			d.keys(":")
			d.typeText([]string{"pipelines", "clusters", "payments", "default"}[rng.IntN(4)])
			d.keys("enter")
			continue
		}
		k := walkKeys[rng.IntN(len(walkKeys))]
		if k == "enter" {
			// The palette's quit would end the walk: never run it.
			quitting := make(chan bool, 1)
			d.p.Send(probe{fn: func(a *App) {
				p, ok := a.overlay.(*component.Palette)
				quitting <- ok && len(p.Shown) > 0 && p.Items[p.Shown[p.Cursor]].Label == "quit"
			}})
			if <-quitting {
				k = "esc"
			}
		}
		d.keys(k)
		if i%25 == 0 {
			clock.Add(300 * time.Millisecond)
			kind := make(chan string, 1)
			d.p.Send(probe{fn: func(a *App) { kind <- fmt.Sprintf("%T", a.top()) }})
			screens[<-kind] = true
		}
	}
	t.Logf("the walk saw %d screens: %v; %d requests, %d refused", len(screens), screens, len(env.Sandbox.Requests()), refusals(env))
	if len(screens) < 4 {
		t.Errorf("the walk saw only %v", screens)
	}
	// Home, as a person would get there, then the pause.
	for i := 0; i < 3; i++ {
		for j := 0; j < 8; j++ {
			d.keys("esc")
		}
		open := make(chan bool, 1)
		d.p.Send(probe{fn: func(a *App) { _, ok := openOverlay[*component.TokenDialog](a); open <- ok }})
		if <-open {
			d.keys("enter")
		}
	}
	d.keys("g")
	d.waitShown("› 🚀  ■  payments-01")
	d.keys("enter")
	d.waitShown("Queues (")
	marks := make(chan int, 1)
	d.p.Send(probe{fn: func(a *App) { marks <- a.c.Session.MarkCount() }})
	if n := <-marks; n > 0 {
		d.keys("x") // the walk's marks: p would pause them all
	}
	from := len(env.Sandbox.Requests())
	d.keys("/")
	d.typeText("default")
	d.keys("enter")
	d.catchUp()
	d.keys("p")
	d.typeText("after the walk")
	d.catchUp()
	start, simStart := time.Now(), clock.Now()
	d.keys("enter")
	d.waitUntil("sent the pause", false, func(string) bool {
		log := env.Sandbox.Requests()
		for _, r := range log[from:] {
			if r.Method == http.MethodPost && (strings.HasSuffix(r.Path, "/pause_dispatch") || strings.HasSuffix(r.Path, "/resume_dispatch")) {
				if r.Status != http.StatusOK {
					t.Fatalf("the change was answered %d", r.Status)
				}
				return true
			}
		}
		return false
	})
	t.Logf("the pause reached the API %s after enter (%s of wall time)", clock.Now().Sub(simStart), time.Since(start).Round(time.Millisecond))
	if sim := clock.Now().Sub(simStart); sim > time.Second {
		t.Fatalf("the pause reached the API after %s on the test's clock, want under 1s", sim)
	}
}
