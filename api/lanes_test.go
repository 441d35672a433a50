package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// runningQueue finds a queue to pause: two looks.
func runningQueue(t *testing.T, ctx context.Context, c *api.Client) (clusterID, queueID string) {
	t.Helper()
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range clusters {
		queues, err := c.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queues {
			if !q.DispatchPaused {
				return cl.ID, q.ID
			}
		}
	}
	t.Fatal("no running queue")
	return "", ""
}

// defaultWindowsEnv serves a sandbox of the size given that enforces the
// default organisation and user windows, on a clock the test moves.
func defaultWindowsEnv(t *testing.T, size sandbox.Size) (*sandboxtest.Env, *sandboxtest.Clock) {
	t.Helper()
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: size, Clock: clock,
		RateLimit: sandbox.DefaultRateLimit, UserRateLimit: sandbox.DefaultUserRateLimit}, nil)
	return env, clock
}

// countRequests counts the requests the sandbox has seen that match.
func countRequests(env *sandboxtest.Env, match func(sandbox.Request) bool) int {
	n := 0
	for _, r := range env.Sandbox.Requests() {
		if match(r) {
			n++
		}
	}
	return n
}

func count429(env *sandboxtest.Env) int {
	return countRequests(env, func(r sandbox.Request) bool { return r.Status == http.StatusTooManyRequests })
}

// A change never queues behind a bulk read: with every slot taken by a
// long list's pages and more of them queued, a pause goes out at once, and
// a person's look goes before the queued pages.
func TestChangeOvertakesABulkReadInProgress(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{}, 1)
	var openGate sync.Once
	// A failing test still lets the held pages go, so the server can close.
	defer openGate.Do(func() { close(gate) })
	var held atomic.Int32
	heldPages := map[string]bool{} // the pages that took the slots
	var mu sync.Mutex
	var order []string
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pagingPipelines}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			order = append(order, r.Method+" "+r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]+" "+r.URL.Query().Get("page"))
			mu.Unlock()
			if strings.HasSuffix(r.URL.Path, "/pipelines") && r.URL.Query().Get("page") != "" {
				if held.Add(1) <= 2 {
					mu.Lock()
					heldPages[r.URL.Query().Get("page")] = true
					mu.Unlock()
				}
				<-gate // the bulk pages hold every slot
			}
			h.ServeHTTP(w, r)
		})
	})
	c := env.ClientWith(t, api.Config{Budget: api.Policy{Slots: 2}, Parallel: 4})
	ctx := context.Background()
	clusterID, queueID := runningQueue(t, ctx, c)
	listed := make(chan error, 1)
	go func() {
		_, err := c.ListPipelines(ctx, nil)
		listed <- err
	}()
	waitFor(t, func() bool { return held.Load() == 2 && api.WaitingBulk(c) == 2 })

	paused := make(chan error, 1)
	go func() {
		_, err := c.PauseQueue(ctx, clusterID, queueID, "incident: the bulk read waits")
		paused <- err
	}()
	select {
	case err := <-paused:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the pause waited behind the bulk read")
	}
	// A look queues before the bulk pages already waiting.
	looked := make(chan error, 1)
	go func() { _, err := c.GetPipeline(ctx, "no-such-pipeline"); looked <- err }()
	waitFor(t, func() bool { p, _ := api.Waiting(c); return p == 1 })
	// One held page finishes: its slot goes to the look, not a queued page.
	gate <- struct{}{}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range order {
			if strings.HasPrefix(o, "GET no-such-pipeline") {
				return true
			}
		}
		return false
	})
	openGate.Do(func() { close(gate) })
	if err := <-listed; err != nil {
		t.Fatal(err)
	}
	var apiErr *api.Error
	if err := <-looked; !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("the look: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	lookAt, queuedPageAt := -1, -1
	for i, o := range order {
		if strings.HasPrefix(o, "GET no-such-pipeline") {
			lookAt = i
		}
		// Two pages took the slots; two more were queued before the look.
		if page, ok := strings.CutPrefix(o, "GET pipelines "); ok && page != "" && !heldPages[page] && queuedPageAt < 0 {
			queuedPageAt = i
		}
	}
	if lookAt < 0 || queuedPageAt < 0 || lookAt > queuedPageAt {
		t.Fatalf("the look (at %d) did not go before the queued pages (at %d)", lookAt, queuedPageAt)
	}
}

// A bulk read spends down to the reserve, says it waits for the window,
// keeps what it loaded, lets a look and a change through meanwhile, and
// goes on after the reset, with no 429.
func TestBulkReadStopsAtTheReserveAndResumesAfterTheReset(t *testing.T) {
	t.Parallel()
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, Clock: clock, Now: clock.Now,
		RateLimit: sandbox.RateLimit{Limit: 10, Window: time.Minute}, LargePipelines: pagingPipelines}, nil)
	// One page at a time, so the count is exact: 10 a window, 5 of it
	// (the reserve, at most half of a small window) kept.
	c := env.ClientWith(t, api.Config{Now: clock.Now, Parallel: 1})
	var pages atomic.Int32
	var waits []time.Duration
	var reported []time.Time
	var during struct {
		pages          int32
		waitText       string
		lookErr, chErr error
	}
	inHook := false
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		if inHook {
			return errors.New("a look or a change waited during the bulk read's wait")
		}
		if len(waits) == 0 {
			inHook = true
			defer func() { inHook = false }()
			during.pages = pages.Load()
			during.waitText = c.Budget().WaitText(clock.Now())
			// A person still looks and changes while the bulk read waits.
			_, during.lookErr = c.GetPipeline(context.Background(), "no-such-pipeline")
			cl, err := c.ListClusters(context.Background(), nil)
			if err == nil {
				_, err = c.CreateCluster(context.Background(), model.ClusterCreate{Name: "Incident " + cl[0].Name})
			}
			during.chErr = err
		}
		waits = append(waits, d)
		clock.Add(d)
		return nil
	})
	ctx := api.OnBudgetWait(context.Background(), func(until time.Time) { reported = append(reported, until) })
	_, err := c.ListPipelines(ctx, func(p api.Page[model.Pipeline]) error {
		pages.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages.Load() != pagingPipelines/api.PerPage {
		t.Fatalf("%d pages delivered, want %d", pages.Load(), pagingPipelines/api.PerPage)
	}
	if n := count429(env); n != 0 {
		t.Fatalf("%d requests refused", n)
	}
	// Page 1 and 4 bulk pages leave 5: the first wait.
	if during.pages != 5 {
		t.Fatalf("%d pages delivered before the first wait, want 5", during.pages)
	}
	if !strings.HasPrefix(during.waitText, "waiting for the API budget (org) · 6") {
		t.Fatalf("wait text %q", during.waitText)
	}
	var apiErr *api.Error
	if !errors.As(during.lookErr, &apiErr) || apiErr.StatusCode != http.StatusNotFound || during.chErr != nil {
		t.Fatalf("a look and a change during the wait: %v, %v", during.lookErr, during.chErr)
	}
	// 15 more pages, 5 a window (the first window also paid for the look
	// and the change): three or four waits, each for the rest of a window.
	if len(waits) < 3 || len(waits) > 4 {
		t.Fatalf("%d waits: %v", len(waits), waits)
	}
	for _, w := range waits {
		if w <= 0 || w > time.Minute+time.Second {
			t.Fatalf("a wait of %s", w)
		}
	}
	if len(reported) != 2*len(waits) || reported[0].IsZero() || !reported[1].IsZero() {
		t.Fatalf("reported waits %v", reported)
	}
	if c.Budget().WaitText(clock.Now()) != "" {
		t.Fatal("still waiting after the list")
	}
}

// A 429 for the user's window waits for RateLimit-User-Reset, not the
// organisation's reset.
func TestA429ForTheUserWaitsForTheUsersReset(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo, Clock: clock,
		RateLimit:     sandbox.RateLimit{Limit: 200, Window: 2 * time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 3, Window: time.Minute}}, nil)
	// Another client of the same user spends the user's window; this one
	// learns it from the 429.
	other := env.ClientWith(t, api.Config{Now: clock.Now, MaxRetries: -1})
	for range 3 {
		if _, err := other.ListClusters(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(18 * time.Second) // the user's window resets in 42s, the organisation's in 102s
	c := env.ClientWith(t, api.Config{Now: clock.Now})
	var waits []time.Duration
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		clock.Add(d)
		return nil
	})
	if _, err := c.ListClusters(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || !afterReset(waits[0], 42*time.Second) {
		t.Fatalf("waits %v, want the user's reset (42s) and a margin", waits)
	}
	if n := count429(env); n != 1 {
		t.Fatalf("%d refused, want the one", n)
	}
	b := c.Budget()
	if b.Scope != api.ScopeUser || b.Limit != 3 || b.Remaining != 2 || !b.Org.Known || b.Org.Limit != 200 {
		t.Fatalf("budget %+v", b)
	}
	if got := b.Text(clock.Now()); got != "2/3 you · resets 60s" {
		t.Fatalf("header text %q", got)
	}
}

func TestBudgetTextNamesTheBindingWindow(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty, Clock: clock,
		RateLimit:     sandbox.RateLimit{Limit: 60, Window: time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 50, Window: time.Minute},
		UserTokens:    map[string]string{"alex": "alex-token"}}, nil)
	c := env.ClientWith(t, api.Config{Now: clock.Now})
	if c.Budget().Text(clock.Now()) != "" {
		t.Fatal("text before any reply")
	}
	for range 19 {
		if _, err := c.ListClusters(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(18 * time.Second)
	// 31 of the user's 50 left, 41 of the organisation's 60.
	if got := c.Budget().Text(clock.Now()); got != "31/50 you · resets 42s" {
		t.Fatalf("text %q", got)
	}
	// Another user spends the organisation's window below this user's.
	alex := env.ClientWith(t, api.Config{Now: clock.Now, Token: "alex-token"})
	for range 15 {
		if _, err := alex.ListClusters(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ListClusters(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got := c.Budget().Text(clock.Now()); got != "25/60 org · resets 42s" {
		t.Fatalf("text %q", got)
	}
}

// Issue 21: a viewer pressing r as fast as it can (300 presses, three at
// a time, which join each other's requests when they can) over one SSH session cannot starve an operator's session of the
// same token: the viewer gets a fair share of the user's window, the
// operator still looks without waiting, and the pause goes through with
// no 429.
func TestAViewerCannotStarveAnOperator(t *testing.T) {
	env, clock := defaultWindowsEnv(t, sandbox.SizeDemo)
	server := env.ClientWith(t, api.Config{Now: clock.Now})
	var waits atomic.Int32
	gaveUp := errors.New("the person pressed on rather than wait")
	// Nobody waits in this test: a wait is counted, and given up at once.
	api.SetSleep(server, func(ctx context.Context, d time.Duration) error {
		waits.Add(1)
		return gaveUp
	})
	viewer, operator := server.WithAccess(true, nil), server.WithAccess(false, nil)
	ctx := context.Background()
	// The operator's console opened before the viewer started pressing.
	if _, err := operator.ListClusters(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var shown atomic.Int32
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				_, err := viewer.ListClusters(api.Fresh(ctx), nil)
				switch {
				case err == nil:
					shown.Add(1)
				case !errors.Is(err, gaveUp):
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	viewerGets := countGets(env) - 1
	if viewerGets > 20 {
		t.Fatalf("the viewer's presses sent %d requests, more than its fair share (20 of 50)", viewerGets)
	}
	if shown.Load() < int32(viewerGets) || waits.Load() == 0 {
		t.Fatalf("%d presses answered, %d requests, %d waits", shown.Load(), viewerGets, waits.Load())
	}
	waits.Store(0)
	// The operator opens a cluster's queues and pauses one: no waiting.
	clusterID, queueID := runningQueue(t, ctx, operator)
	if _, err := operator.PauseQueue(ctx, clusterID, queueID, "incident: viewer pressing r"); err != nil {
		t.Fatalf("the pause: %v", err)
	}
	if waits.Load() != 0 {
		t.Fatalf("the operator waited %d times", waits.Load())
	}
	if n := count429(env); n != 0 {
		t.Fatalf("%d requests refused", n)
	}
	// The viewer pressing on still cannot spend the change reserve.
	for range 50 {
		_, _ = viewer.ListClusters(api.Fresh(ctx), nil)
	}
	if b := operator.Budget(); b.Remaining < b.ChangeReserve || count429(env) != 0 {
		t.Fatalf("budget after more presses: %+v", b)
	}
	if _, err := operator.ResumeQueue(ctx, clusterID, queueID); err != nil {
		t.Fatalf("the resume: %v", err)
	}
}

// "RateLimit-Reset: 0" is not a licence to retry at once: the wait has
// its margin.
func TestA429WithResetZeroIsNotRetriedAtOnce(t *testing.T) {
	env := startFaulty(t, api.Config{})
	env.faults.add(fault{status: 429, times: 1, header: map[string]string{"RateLimit-Reset": "0", "RateLimit-Remaining": "0", "RateLimit-Limit": "200"},
		body: `{"message":"You have exceeded your API rate limit.","scope":"rest","limit":200,"current":201,"reset":0}`})
	if _, err := env.Client.ListClusters(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if w := env.recorded(); len(w) != 1 || !afterReset(w[0], 0) {
		t.Fatalf("waits = %v, want a margin of 100ms to 500ms", w)
	}
}

// The background share and the reserve apply to the user's window when it
// has less left than the organisation's.
func TestBackgroundKeepsToTheTighterWindow(t *testing.T) {
	env, clock := defaultWindowsEnv(t, sandbox.SizeDemo)
	c := env.ClientWith(t, api.Config{Now: clock.Now})
	sent := 0
	for range 100 {
		if _, err := c.ListClusters(bg(), nil); err == nil {
			sent++
		} else if !errors.Is(err, api.ErrDeferred) {
			t.Fatal(err)
		}
	}
	// 25% of the user's 50, not of the organisation's 200.
	if b := c.Budget(); sent != 12 || b.Scope != api.ScopeUser || b.BackgroundShare != 12 || b.Remaining != 38 || b.Org.Remaining != 188 {
		t.Fatalf("%d sent, budget %+v", sent, b)
	}
	// A person's looks spend the user's window down to the change reserve
	// (10), changes the rest; background stays deferred from the reserve
	// (20) on.
	for range 18 {
		if _, err := c.ListClusters(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ListClusters(bg(), nil); !errors.Is(err, api.ErrDeferred) {
		t.Fatalf("background at the user's reserve: %v", err)
	}
	if n := count429(env); n != 0 {
		t.Fatalf("%d refused", n)
	}
}

// Listing all 10,000 pipelines of the large organisation under Buildkite's
// default windows (200 for the organisation, 50 for the user a minute):
// 100 requests, 30 of each user window for the bulk read, so three waits
// for a reset and no 429; the reserve of 20 stays free in every window.
func TestTenThousandPipelinesUnderTheDefaultWindows(t *testing.T) {
	t.Parallel()
	env, clock := defaultWindowsEnv(t, sandbox.SizeLarge)
	// One page at a time: each wait here moves the hand clock, and eight
	// workers waiting for the same reset would move it eight times.
	c := env.ClientWith(t, api.Config{Now: clock.Now, Parallel: 1})
	var waits []time.Duration
	lowest := 50
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		lowest = min(lowest, c.Budget().Remaining)
		waits = append(waits, d)
		clock.Add(d)
		return nil
	})
	all, err := c.ListPipelines(context.Background(), nil)
	if err != nil || len(all) != 10000 {
		t.Fatalf("%d pipelines, %v", len(all), err)
	}
	if len(waits) != 3 || count429(env) != 0 || countGets(env) != 100 {
		t.Fatalf("%d waits (%v), %d refused, %d requests", len(waits), waits, count429(env), countGets(env))
	}
	if lowest < 20 {
		t.Fatalf("the bulk read spent the reserve: %d left", lowest)
	}
}
