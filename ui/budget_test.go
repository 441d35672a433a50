package ui

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

func TestRefreshPaceFollowsTheBudget(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	every := 30 * time.Second
	budget := func(remaining int) api.Budget {
		return api.Budget{Known: true, Limit: 200, Remaining: remaining, ResetAt: now.Add(45 * time.Second), Reserve: 20}
	}
	for _, tc := range []struct {
		name string
		b    api.Budget
		want time.Duration
	}{
		{"unknown", api.Budget{}, every},
		{"plenty", budget(150), every},
		{"under half", budget(90), 2 * every},
		{"under a quarter", budget(40), 4 * every},
		{"at the reserve: until the reset", budget(20), 46 * time.Second},
		{"a past window is a new one", api.Budget{Known: true, Limit: 200, Remaining: 0, ResetAt: now.Add(-time.Second), Reserve: 20}, every},
		{"held by a 429", api.Budget{Known: true, Limit: 200, Remaining: 0, ResetAt: now.Add(10 * time.Second), HeldUntil: now.Add(50 * time.Second), Reserve: 20}, 51 * time.Second},
	} {
		if got := refreshPace(every, tc.b, now); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// The header shows the organisation's budget as the API reports it, and
// says when only the reserve is left.
func TestHeaderShowsTheBudget(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30, rateLimit: sandbox.RateLimit{Limit: 200, Window: time.Hour}})
	d.waitFor("Production", "PAUSED")
	d.waitShown("/200 org · resets ")
	other := d.env.ClientWith(t, api.Config{})
	for b := other.Budget(); !b.Known || b.Remaining > api.DefaultReserve; b = other.Budget() {
		if _, err := other.ListClusters(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	d.keys("r")
	d.waitUntil("showed the budget at the reserve", true, func(f string) bool {
		m := budgetText.FindStringSubmatch(f)
		if m == nil {
			return false
		}
		n, _ := strconv.Atoi(m[1])
		return n <= api.DefaultReserve
	})
}

var budgetText = regexp.MustCompile(`API (\d+)/200 org · resets \d+s`)

// With the SSH server's shared cache, opening a screen may be answered by
// it, but r always asks the API.
func TestRefreshKeyBypassesTheSharedCache(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30, cacheFor: time.Hour})
	d.waitFor("Production", "PAUSED")
	lists := func() int {
		n := 0
		for _, r := range d.env.Sandbox.Requests() {
			if r.Method == http.MethodGet && (strings.HasSuffix(r.Path, "/clusters") || strings.Contains(r.Path, "/clusters?")) {
				n++
			}
		}
		return n
	}
	before := lists()
	d.keys("r")
	d.waitUntil("asked the API again", true, func(string) bool { return lists() == before+1 })
	// Going into a cluster and back reloads from the cache: no request.
	d.keys("enter")
	d.waitFor("Queues (3)")
	d.keys("esc")
	d.waitFor("Production", "PAUSED")
	if n := lists(); n != before+1 {
		t.Fatalf("%d list requests after returning; the cache should have answered", n-before)
	}
}

// Someone else pauses a queue: the home screen's PAUSED column catches up
// on the timer's recount, without anyone pressing r. The timer runs at
// the default 30 s on the test's clock, one tick at a time: the recount
// comes in the first reload of each block of four ticks, so within five.
// (On a real 20 ms timer, the background share of the budget (a quarter
// of an assumed 200 a minute when the API sends no rate-limit headers)
// was spent by the reloads before the pause whenever the start was slow,
// as under the race detector, and the recount was deferred past the
// test's wait.)
func TestHomeRecountsOnTheTimer(t *testing.T) {
	t.Parallel()
	const every = 30 * time.Second
	d := startDriver(t, driverOptions{width: 120, height: 30, refresh: every})
	d.waitFor("Production", "PAUSED")
	cl, q := findQueue(t, d, "Production", "deploy")
	if _, err := d.env.Client.PauseQueue(context.Background(), cl.ID, q.ID, "elsewhere"); err != nil {
		t.Fatal(err)
	}
	counted := func(f string) bool {
		for _, line := range strings.Split(f, "\n") {
			// QUEUES 3, PAUSED 1, then the WAITING column.
			if strings.Contains(line, "Production") && strings.Contains(line, "3       1       ") {
				return true
			}
		}
		return false
	}
	for ticks := 0; ; ticks++ {
		f := d.waitUntil("finished the reload", true, func(string) bool { return true })
		if counted(f) {
			t.Logf("counted after %d ticks", ticks)
			return
		}
		if ticks > 5 {
			t.Fatalf("the pause was not counted after %d ticks of the timer:\n%s", ticks, f)
		}
		d.advance(every)
	}
}

// tickRecorder is a screen that keeps the numbers of the refreshes it is
// asked for.
type tickRecorder struct {
	common.ScreenBase
	ticks []int64
}

func (r *tickRecorder) Crumb() string       { return "ticks" }
func (r *tickRecorder) Init() tea.Cmd       { return nil }
func (r *tickRecorder) View() string        { return "ticks" }
func (r *tickRecorder) Help() []key.Binding { return nil }
func (r *tickRecorder) Capturing() bool     { return false }
func (r *tickRecorder) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if m, ok := msg.(common.RefreshMsg); ok && m.Auto {
		r.ticks = append(r.ticks, m.Tick)
	}
	return r, nil
}

// A timer's refresh is numbered for the moment it was set for, however
// late the loop takes it in: a late one was numbered as the next, and
// the refresh after it got the same number (on a busy machine, sessions
// sharing a fetcher numbered the same refresh apart).
func TestALateTickKeepsItsNumber(t *testing.T) {
	t.Parallel()
	const every = 30 * time.Second
	// The refresh is off at the start and turned on once the console's
	// clock is watched: Init would set its timer on the clock it had. Only
	// the loop (here the test's goroutine) reads the clock from Common.
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.waitFor("Production", "PAUSED")
	rec := &tickRecorder{ScreenBase: common.NewBase(d.app.c)}
	d.p.Send(common.PushMsg{Screen: rec})
	timers := &timerWatch{Clock: d.clock, wake: d.wake}
	d.app.c.Clock = timers
	d.app.opts.Refresh = every
	d.run(d.app.armRefresh())
	t0 := d.clock.Now()
	start := gridTick(t0, every)
	timers.waitSet(d, "the refresh timer", t0.Add(every))
	d.advance(every + 20*time.Second) // the tick due at 30 s is taken in at 50 s
	d.waitUntil("took in the late tick", false, func(string) bool { return len(rec.ticks) == 1 })
	timers.waitSet(d, "the next refresh timer", t0.Add(2*every))
	d.advance(10 * time.Second) // the next, on time at 60 s
	d.waitUntil("took in the next tick", false, func(string) bool { return len(rec.ticks) == 2 })
	if want := []int64{start + 1, start + 2}; !slices.Equal(rec.ticks, want) {
		t.Fatalf("refreshes numbered %v, want %v", rec.ticks, want)
	}
}

// timerWatch is the console's clock with the timers set on it in view. A
// command sets its timer on a goroutine of its own, some time after the
// Update that returned it: a test that moved the clock before then would
// have the timer set from the moved time, and one that moved it before
// the timer's message was taken in would have the program a tick behind.
// A test waits for both instead of for the goroutines' turn.
type timerWatch struct {
	*sandboxtest.Clock
	wake func()
	mu   sync.Mutex
	due  []time.Time
}

func (w *timerWatch) NewTimer(d time.Duration) clockwork.Timer {
	timer := w.Clock.NewTimer(d)
	w.mu.Lock()
	// The test waits for a timer only while its clock stands still, so
	// now is the time the timer was set from.
	w.due = append(w.due, w.Now().Add(d))
	w.mu.Unlock()
	w.wake()
	return timer
}

// waitSet waits until a timer due at at is set.
func (w *timerWatch) waitSet(d *driver, what string, at time.Time) {
	d.t.Helper()
	d.waitUntil("set "+what, false, func(string) bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return slices.ContainsFunc(w.due, at.Equal)
	})
}
