package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// The scheduler's tests run on a clock moved by hand, shared by the
// sandbox's window and the client's budget: nothing waits on real time.

func budgetEnv(t *testing.T, clock *sandboxtest.Clock, limit int, wrap func(http.Handler) http.Handler) *sandboxtest.Env {
	t.Helper()
	return sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo, Clock: clock,
		RateLimit: sandbox.RateLimit{Limit: limit, Window: time.Minute}}, wrap)
}

func bg() context.Context { return api.InBackground(context.Background()) }

func countGets(env *sandboxtest.Env) int {
	return countRequests(env, func(r sandbox.Request) bool { return r.Method == http.MethodGet })
}

func TestPersonOvertakesQueuedBackground(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			who := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			order = append(order, who)
			mu.Unlock()
			if who == "first" {
				<-release // holds the only slot
			}
			h.ServeHTTP(w, r)
		})
	})
	c := env.ClientWith(t, api.Config{Budget: api.Policy{Slots: 1}})
	get := func(ctx context.Context, who string, done *sync.WaitGroup) {
		defer done.Done()
		_, _ = c.GetPipeline(ctx, who) // a 404 each, told apart by the slug
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go get(bg(), "first", &wg)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 1 })
	for _, who := range []string{"bg1", "bg2"} {
		wg.Add(1)
		go get(bg(), who, &wg)
		want := who[2] - '0'
		waitFor(t, func() bool { _, b := api.Waiting(c); return b == int(want) })
	}
	wg.Add(1)
	go get(context.Background(), "person", &wg)
	waitFor(t, func() bool { p, _ := api.Waiting(c); return p == 1 })
	close(release)
	wg.Wait()
	if got := strings.Join(order, " "); got != "first person bg1 bg2" {
		t.Fatalf("order = %s, want the person before the queued background requests", got)
	}
}

// waitFor polls a condition the test itself brought about; it never waits
// for the clock.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 5000; i++ {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition never held")
}

func TestBackgroundStopsAtTheReserve(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := budgetEnv(t, clock, 40, nil)
	c := env.ClientWith(t, api.Config{Now: clock.Now, Budget: api.Policy{BackgroundShare: 1, Reserve: 20}})
	ctx := context.Background()
	for range 19 { // a person spends 19 of 40: 21 remain
		if _, err := c.ListClusters(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if b := c.Budget(); !b.Known || b.Limit != 40 || b.Remaining != 21 {
		t.Fatalf("budget = %+v", b)
	}
	if _, err := c.ListClusters(bg(), nil); err != nil { // 21 > 20: allowed, 20 remain
		t.Fatal(err)
	}
	before := countGets(env)
	for range 5 {
		if _, err := c.ListClusters(bg(), nil); !errors.Is(err, api.ErrDeferred) {
			t.Fatalf("background at the reserve: %v", err)
		}
	}
	if countGets(env) != before {
		t.Fatal("a deferred request reached the API")
	}
	if b := c.Budget(); !b.AtReserve() {
		t.Fatalf("budget = %+v", b)
	}
	// A person's looks still get through, down to the change reserve...
	for range 10 {
		if _, err := c.ListClusters(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	// ...where a look waits for the window rather than spend it...
	var waited []time.Duration
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		waited = append(waited, d)
		return context.Canceled
	})
	before = countGets(env)
	if _, err := c.ListClusters(ctx, nil); !errors.Is(err, context.Canceled) || len(waited) != 1 || waited[0] < time.Minute || countGets(env) != before {
		t.Fatalf("a look at the change reserve: %v, waits %v", err, waited)
	}
	// ...and changes get through all the way down.
	for i := range 10 {
		if _, err := c.CreateCluster(ctx, model.ClusterCreate{Name: fmt.Sprint("Incident ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if c.Budget().Remaining != 0 {
		t.Fatalf("budget = %+v", c.Budget())
	}
}

func TestBackgroundKeepsToItsShareOfAWindow(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := budgetEnv(t, clock, 200, nil)
	c := env.ClientWith(t, api.Config{Now: clock.Now}) // the defaults: 25%, reserve 20
	sent := func() int {
		n := 0
		for range 120 {
			if _, err := c.ListClusters(bg(), nil); err == nil {
				n++
			} else if !errors.Is(err, api.ErrDeferred) {
				t.Fatal(err)
			}
		}
		return n
	}
	for window := range 3 {
		before := countGets(env)
		if n := sent(); n != 50 {
			t.Fatalf("window %d: %d background requests sent, want 50 (25%% of 200)", window, n)
		}
		if got := countGets(env) - before; got != 50 {
			t.Fatalf("window %d: %d reached the API", window, got)
		}
		if b := c.Budget(); b.BackgroundSpent != 50 || b.BackgroundShare != 50 {
			t.Fatalf("budget = %+v", b)
		}
		clock.Add(time.Minute)
	}
}

func TestA429HoldsEveryoneUntilTheResetPersonFirst(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := budgetEnv(t, clock, 3, nil)
	// Another client spends the organisation's window: this one learns it
	// only from the 429.
	other := env.ClientWith(t, api.Config{Now: clock.Now})
	c := env.ClientWith(t, api.Config{Now: clock.Now, Budget: api.Policy{BackgroundShare: 1, Reserve: 1}})
	// The person's wait for the reset is observed, and moves the clock
	// only when the test lets it.
	waited := make(chan time.Duration, 4)
	proceed := make(chan struct{})
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		waited <- d
		<-proceed
		clock.Add(d)
		return nil
	})
	ctx := context.Background()
	for range 3 {
		if _, err := other.ListClusters(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { _, err := c.GetPipeline(ctx, "checkout"); done <- err }() // the 4th: 429, then waits
	if d := <-waited; !afterReset(d, time.Minute) {
		t.Fatalf("waited %s, want the window's reset (60s) and a margin", d)
	}
	// While it waits, background work is not even sent.
	before := countGets(env)
	if _, err := c.ListClusters(bg(), nil); !errors.Is(err, api.ErrDeferred) {
		t.Fatalf("background during the hold: %v", err)
	}
	// The window opens, but the waiting person goes first.
	clock.Add(time.Minute + 2*time.Second)
	if _, err := c.ListClusters(bg(), nil); !errors.Is(err, api.ErrDeferred) {
		t.Fatalf("background before the held person: %v", err)
	}
	if countGets(env) != before {
		t.Fatal("a request went out during the hold")
	}
	close(proceed)
	if err := <-done; err != nil {
		t.Fatalf("the person's request after the reset: %v", err)
	}
	reqs := env.Sandbox.Requests()
	if last := reqs[len(reqs)-1]; !strings.HasSuffix(last.Path, "/pipelines/checkout") || last.Status != http.StatusOK {
		t.Fatalf("first after the reset: %+v", last)
	}
	if _, err := c.ListClusters(bg(), nil); err != nil {
		t.Fatalf("background after the person: %v", err)
	}
}

// Clients made with WithAccess (one per SSH session) share one budget.
func TestSessionsShareTheBudget(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := budgetEnv(t, clock, 200, nil)
	base := env.ClientWith(t, api.Config{Now: clock.Now})
	sessions := []*api.Client{base.WithAccess(false, nil), base.WithAccess(true, nil), base.WithAccess(false, nil)}
	n := 0
	for range 40 {
		for _, s := range sessions {
			if _, err := s.ListClusters(bg(), nil); err == nil {
				n++
			}
		}
	}
	if n != 50 {
		t.Fatalf("%d background requests across sessions, want 50", n)
	}
	if b := sessions[1].Budget(); b.Remaining != 150 {
		t.Fatalf("budget seen by a session = %+v", b)
	}
}

func TestPauseGetsThroughAtTheReserve(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := budgetEnv(t, clock, 200, nil)
	other := env.ClientWith(t, api.Config{Now: clock.Now})
	ctx := context.Background()
	for range 180 { // another client drains the organisation to the reserve
		if _, err := other.ListClusters(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := env.ClientWith(t, api.Config{Now: clock.Now})
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListClusters(bg(), nil); !errors.Is(err, api.ErrDeferred) {
		t.Fatalf("background below the reserve: %v", err)
	}
	cl := clusters[0]
	queues, err := c.ListQueues(ctx, cl.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queues {
		if !q.DispatchPaused {
			if _, err := c.PauseQueue(ctx, cl.ID, q.ID, "incident"); err != nil {
				t.Fatalf("pause at the reserve: %v", err)
			}
			return
		}
	}
	t.Fatal(fmt.Sprint("no queue to pause in ", model.Value(&cl.Name)))
}

func TestSessionsShareOneFetch(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	arrived := 0
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/clusters") {
				mu.Lock()
				arrived++
				mu.Unlock()
				<-release
			}
			h.ServeHTTP(w, r)
		})
	})
	clock := sandboxtest.NewClock()
	base := env.ClientWith(t, api.Config{Now: clock.Now, CacheFor: 30 * time.Second})
	sessions := make([]*api.Client, 10)
	for i := range sessions {
		sessions[i] = base.WithAccess(i%2 == 0, nil)
	}
	// Ten sessions ask for the same list at once: one request.
	var wg sync.WaitGroup
	results := make([]int, len(sessions))
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := s.ListClusters(context.Background(), nil)
			if err != nil {
				t.Error(err)
			}
			results[i] = len(cl)
		}()
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return arrived == 1 })
	// Every session is in the flight (the one sending, nine joined) before
	// the reply is let go.
	waitFor(t, func() bool { return api.InFlight(base) == int64(len(sessions)) })
	close(release)
	wg.Wait()
	for i, n := range results {
		if n != 5 {
			t.Fatalf("session %d got %d clusters", i, n)
		}
	}
	if arrived != 1 { // all ten were in the one flight before it was answered
		t.Fatalf("%d requests for one list asked by 10 sessions at once", arrived)
	}
	first := arrived
	// Background refreshes within the cache's lifetime cost nothing...
	for _, s := range sessions {
		if _, err := s.ListClusters(bg(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if arrived != first {
		t.Fatalf("background refreshes inside the lifetime sent %d requests", arrived-first)
	}
	// ...and so does a person opening the screen another session just
	// loaded; a person's r (Fresh) always asks the API...
	if _, err := sessions[2].ListClusters(context.Background(), nil); err != nil || arrived != first {
		t.Fatalf("opening a cached screen: %d requests, %v", arrived-first, err)
	}
	if _, err := sessions[3].ListClusters(api.Fresh(context.Background()), nil); err != nil || arrived != first+1 {
		t.Fatalf("a person's refresh: %d requests, %v", arrived-first, err)
	}
	// ...and a change, or the lifetime passing, empties the cache.
	clock.Add(31 * time.Second)
	if _, err := sessions[5].ListClusters(bg(), nil); err != nil || arrived != first+2 {
		t.Fatalf("after the lifetime: %d, %v", arrived-first, err)
	}
	if _, err := sessions[1].CreateCluster(context.Background(), model.ClusterCreate{Name: "New"}); err != nil {
		t.Fatal(err)
	}
	cl, err := sessions[7].ListClusters(bg(), nil)
	if err != nil || len(cl) != 6 || arrived != first+3 {
		t.Fatalf("after a change: %d clusters, %d requests, %v", len(cl), arrived-first, err)
	}
}
