package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
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

// fault answers the next `times` requests of a method (any when empty)
// itself instead of the sandbox.
type fault struct {
	method string
	times  int
	status int
	header map[string]string
	body   string
	onHit  func()
}

// faulty sits in front of the sandbox and counts what reaches it.
type faulty struct {
	next   http.Handler
	mu     sync.Mutex
	faults []*fault
	hits   map[string]int // method → requests seen, faulted or not
	agents []string
	auths  []string
}

func (f *faulty) add(ft fault) {
	f.mu.Lock()
	f.faults = append(f.faults, &ft)
	f.mu.Unlock()
}

func (f *faulty) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[method]
}

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits[r.Method]++
	f.agents = append(f.agents, r.UserAgent())
	f.auths = append(f.auths, r.Header.Get("Authorization"))
	var hit *fault
	for _, ft := range f.faults {
		if ft.times > 0 && (ft.method == "" || ft.method == r.Method) {
			ft.times--
			hit = ft
			break
		}
	}
	f.mu.Unlock()
	if hit == nil {
		f.next.ServeHTTP(w, r)
		return
	}
	for k, v := range hit.header {
		w.Header().Set(k, v)
	}
	if hit.onHit != nil {
		hit.onHit()
	}
	w.WriteHeader(hit.status)
	_, _ = w.Write([]byte(hit.body))
}

type retryEnv struct {
	*sandboxtest.Env
	faults *faulty
	mu     sync.Mutex
	waits  []time.Duration
}

func (e *retryEnv) recorded() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

// startFaulty starts the demo sandbox behind a fault injector, with a
// client whose waits are recorded instead of slept.
func startFaulty(t *testing.T, cfg api.Config) *retryEnv {
	re := &retryEnv{}
	re.Env = sandboxtest.Start(t, sandbox.Options{}, func(h http.Handler) http.Handler {
		re.faults = &faulty{next: h, hits: map[string]int{}}
		return re.faults
	})
	re.Client = re.ClientWith(t, cfg)
	api.SetSleep(re.Client, func(ctx context.Context, d time.Duration) error {
		re.mu.Lock()
		re.waits = append(re.waits, d)
		re.mu.Unlock()
		return ctx.Err()
	})
	return re
}

// afterReset reports whether a wait is the reset the server asked for and
// the client's jittered margin after it (100ms to 500ms): never earlier.
func afterReset(wait, reset time.Duration) bool {
	return wait >= reset+100*time.Millisecond && wait < reset+500*time.Millisecond
}

func TestGetHonoursRateLimitReset(t *testing.T) {
	env := startFaulty(t, api.Config{})
	env.faults.add(fault{status: 429, times: 1, header: map[string]string{"RateLimit-Reset": "7", "RateLimit-Remaining": "0"}, body: `{"message":"Too many requests"}`})
	clusters, err := env.Client.ListClusters(context.Background(), nil)
	if err != nil || len(clusters) == 0 {
		t.Fatalf("list after 429: %v", err)
	}
	if w := env.recorded(); len(w) != 1 || !afterReset(w[0], 7*time.Second) {
		t.Fatalf("waits = %v, want [7s and a margin]", w)
	}
	if n := env.faults.count("GET"); n != 2 {
		t.Fatalf("%d GETs, want 2", n)
	}
}

func TestRetryAfterAndTheCap(t *testing.T) {
	env := startFaulty(t, api.Config{MaxRetryWait: 30 * time.Second})
	env.faults.add(fault{status: 429, times: 1, header: map[string]string{"Retry-After": "3"}})
	env.faults.add(fault{status: 429, times: 1, header: map[string]string{"RateLimit-Reset": "3600"}})
	if _, err := env.Client.ListClusters(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if w := env.recorded(); len(w) != 2 || !afterReset(w[0], 3*time.Second) || !afterReset(w[1], 30*time.Second) {
		t.Fatalf("waits = %v, want [3s 30s] and a margin", w)
	}
}

func TestGetRetriesGatewayErrorsBounded(t *testing.T) {
	env := startFaulty(t, api.Config{MaxRetries: 2})
	env.faults.add(fault{status: 503, times: 2, body: "<html>down</html>"})
	if _, err := env.Client.ListClusters(context.Background(), nil); err != nil {
		t.Fatalf("two 503s then success: %v", err)
	}
	for _, w := range env.recorded() {
		if w <= 0 || w > 8*time.Second {
			t.Fatalf("backoff %v out of range", w)
		}
	}

	env.faults.add(fault{status: 502, times: 100, body: "<html><body>Bad gateway</body></html>"})
	before := env.faults.count("GET")
	_, err := env.Client.ListClusters(context.Background(), nil)
	apiErr := wantAPIError(t, err, 502, "Bad Gateway")
	if strings.Contains(apiErr.Message, "<html") {
		t.Fatal("an HTML error page reached the message")
	}
	if n := env.faults.count("GET") - before; n != 3 {
		t.Fatalf("%d attempts, want 1 + 2 retries", n)
	}
}

func TestWritesAreNotRetriedAfterServerErrors(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		env := startFaulty(t, api.Config{})
		cl := must[[]model.Cluster](t)(env.Client.ListClusters(context.Background(), nil))[0]
		env.faults.add(fault{method: "POST", status: status, times: 1, body: `{"message":"boom"}`})
		_, err := env.Client.PauseQueue(context.Background(), cl.ID, model.Value(cl.DefaultQueueID), "note")
		wantAPIError(t, err, status, "boom")
		if n := env.faults.count("POST"); n != 1 {
			t.Fatalf("%d: POST sent %d times", status, n)
		}
		if len(env.recorded()) != 0 {
			t.Fatalf("%d: waited before a retry that must not happen", status)
		}
		// Nothing was done: the queue is still running.
		if q := must[model.Queue](t)(env.Client.GetQueue(context.Background(), cl.ID, model.Value(cl.DefaultQueueID))); q.DispatchPaused {
			t.Fatalf("%d: the queue was paused", status)
		}
	}
}

func TestWritesAreRetriedOn429(t *testing.T) {
	env := startFaulty(t, api.Config{})
	cl := must[[]model.Cluster](t)(env.Client.ListClusters(context.Background(), nil))[0]
	env.faults.add(fault{method: "POST", status: 429, times: 1, header: map[string]string{"RateLimit-Reset": "2"}})
	q, err := env.Client.PauseQueue(context.Background(), cl.ID, model.Value(cl.DefaultQueueID), "after the limit")
	if err != nil || !q.DispatchPaused {
		t.Fatalf("pause after 429: %v", err)
	}
	if n := env.faults.count("POST"); n != 2 {
		t.Fatalf("POST sent %d times, want 2", n)
	}
	if w := env.recorded(); len(w) != 1 || !afterReset(w[0], 2*time.Second) {
		t.Fatalf("waits = %v", w)
	}
}

func TestCancellingStopsARetryWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var faults *faulty
	env := sandboxtest.Start(t, sandbox.Options{}, func(h http.Handler) http.Handler {
		faults = &faulty{next: h, hits: map[string]int{}}
		return faults
	})
	// The server asks for an hour's wait and, as it answers, the caller
	// gives up: the client must return at once, with no second request.
	faults.add(fault{status: 429, times: 1, header: map[string]string{"Retry-After": "3600"}, onHit: cancel})
	client := env.ClientWith(t, api.Config{MaxRetryWait: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, err := client.ListClusters(ctx, nil)
		done <- err
	}()
	err := <-done // no timer: a hang here is the failure, and go test's own timeout reports it
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := faults.count("GET"); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestRequestsCarryAuthAndUserAgent(t *testing.T) {
	env := startFaulty(t, api.Config{})
	if _, err := env.Client.ListClusters(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if ua := env.faults.agents[0]; !strings.HasPrefix(ua, "kiteconsole/") {
		t.Fatalf("User-Agent = %q", ua)
	}
	if auth := env.faults.auths[0]; auth != "Bearer "+env.Sandbox.Token() {
		t.Fatal("no bearer token sent")
	}
}

func TestLinkToAnotherHostIsNotFollowed(t *testing.T) {
	env := startFaulty(t, api.Config{})
	env.faults.add(fault{method: "GET", status: 200, times: 1, body: `[]`,
		header: map[string]string{"Link": `<https://evil.example/v2/organizations/acme/clusters?page=2>; rel="next"`}})
	_, err := env.Client.ListClusters(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("err = %v", err)
	}
	if n := env.faults.count("GET"); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

// A last page on another host is refused before anything is sent to it,
// and a caller that reads every page (EveryPage) still has page 1, as
// any other caller does.
func TestALastLinkToAnotherHostIsNotFollowed(t *testing.T) {
	for _, every := range []bool{false, true} {
		env := startFaulty(t, api.Config{})
		env.faults.add(fault{method: "GET", status: 200, times: 1, body: `[{"id":"c1","name":"one"}]`,
			header: map[string]string{"Link": `<https://evil.example/v2/organizations/acme/clusters?page=3>; rel="last"`}})
		ctx := context.Background()
		if every {
			ctx = api.EveryPage(ctx)
		}
		var handed []int
		_, err := env.Client.ListClusters(ctx, func(p api.Page[model.Cluster]) error {
			handed = append(handed, len(p.Items))
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "another host") || len(handed) != 1 || handed[0] != 1 {
			t.Fatalf("every page %v: %v, pages handed over %v", every, err, handed)
		}
		if n := env.faults.count("GET"); n != 1 {
			t.Fatalf("every page %v: %d requests", every, n)
		}
	}
}

func TestMalformedReplyIsAnError(t *testing.T) {
	env := startFaulty(t, api.Config{})
	env.faults.add(fault{method: "GET", status: 200, times: 1, body: `{"id": `})
	_, err := env.Client.GetCluster(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "could not be read") {
		t.Fatalf("err = %v", err)
	}
}

// concurrency counts the requests in flight at the sandbox.
type concurrency struct {
	next     http.Handler
	mu       sync.Mutex
	now, max int
}

func (c *concurrency) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.now++
	c.max = max(c.max, c.now)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}()
	c.next.ServeHTTP(w, r)
}

// pagingPipelines is the large organisation's size in tests of paging:
// twenty pages of 100, more than any bound of workers, for a fifth of
// what 10,000 pipelines cost to encode and decode under the race
// detector.
const pagingPipelines = 2000

func TestPagesAreFetchedInParallelWithinTheBound(t *testing.T) {
	t.Parallel()
	var conc *concurrency
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pagingPipelines, Latency: 5 * time.Millisecond}, func(h http.Handler) http.Handler {
		conc = &concurrency{next: h}
		return conc
	})
	for _, bound := range []int{3, api.DefaultParallel} {
		conc.mu.Lock()
		conc.max = 0
		conc.mu.Unlock()
		c := env.ClientWith(t, api.Config{Parallel: bound})
		var order []int
		n := 0
		_, err := c.ListPipelines(context.Background(), func(p api.Page[model.Pipeline]) error {
			order = append(order, p.Number)
			n += len(p.Items)
			return nil
		})
		if err != nil || n != pagingPipelines {
			t.Fatalf("bound %d: %d pipelines, %v", bound, n, err)
		}
		for i, n := range order {
			if n != i+1 {
				t.Fatalf("bound %d: pages delivered out of order: %v", bound, order[:i+1])
			}
		}
		if conc.max > bound || conc.max < 2 {
			t.Fatalf("bound %d: %d requests were in flight at once", bound, conc.max)
		}
	}
}

func TestWithoutALastLinkPagesAreFollowedOneByOne(t *testing.T) {
	t.Parallel()
	var conc *concurrency
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pagingPipelines}, func(h http.Handler) http.Handler {
		conc = &concurrency{next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(&noLast{ResponseWriter: w}, r)
		})}
		return conc
	})
	c := env.ClientWith(t, api.Config{})
	all, err := c.ListPipelines(context.Background(), nil)
	if err != nil || len(all) != pagingPipelines || conc.max != 1 {
		t.Fatalf("%d pipelines, %v, %d in flight", len(all), err, conc.max)
	}
}

// noLast drops rel="last" from Link, as some endpoints do.
type noLast struct{ http.ResponseWriter }

func (n *noLast) WriteHeader(code int) {
	if l := n.Header().Get("Link"); l != "" {
		var keep []string
		for _, part := range strings.Split(l, ",") {
			if !strings.Contains(part, `rel="last"`) {
				keep = append(keep, strings.TrimSpace(part))
			}
		}
		n.Header().Set("Link", strings.Join(keep, ", "))
	}
	n.ResponseWriter.WriteHeader(code)
}

// A 429 holds back every worker of a parallel list until its reset, not
// only the one refused. The waits are held until every worker waits, and
// nothing is sent meanwhile but what was on its way; then the test's
// clock moves past the reset. No real second is waited.
func TestA429HoldsBackEveryWorker(t *testing.T) {
	t.Parallel()
	clock := sandboxtest.NewClock()
	var hit, opened atomic.Bool
	var duringHold atomic.Int32
	// Four pages for each worker: however the workers ran before the
	// 429, each has a page left to wait with.
	const pipelines = 4 * api.DefaultParallel * 100
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pipelines}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.RawQuery, "page=5&") && hit.CompareAndSwap(false, true) {
				w.Header().Set("RateLimit-Reset", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			if hit.Load() && !opened.Load() {
				duringHold.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	c := env.ClientWith(t, api.Config{Now: clock.Now})
	gate := make(chan struct{})
	var mu sync.Mutex
	var waits []time.Duration
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	listed := make(chan error, 1)
	var all []model.Pipeline
	go func() {
		var err error
		all, err = c.ListPipelines(context.Background(), nil)
		listed <- err
	}()
	// (A bound for a hang, not a timing: the pages in flight are a few
	// seconds' work on a busy machine.)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		n := len(waits)
		mu.Unlock()
		if n == api.DefaultParallel {
			break
		}
		select {
		case err := <-listed:
			t.Fatalf("the list ended (%v) with %d workers waiting for the reset and %d requests sent meanwhile", err, n, duringHold.Load())
		default:
		}
		if time.Now().After(deadline) {
			close(gate)
			t.Fatalf("%d of %d workers wait for the reset", n, api.DefaultParallel)
		}
	}
	opened.Store(true)
	mu.Lock()
	held := append([]time.Duration(nil), waits...)
	mu.Unlock()
	clock.Add(slices.Max(held))
	close(gate)
	if err := <-listed; err != nil || len(all) != pipelines {
		t.Fatalf("%d, %v", len(all), err)
	}
	// Requests that started after the 429 may have been in flight already;
	// none is sent while the window is closed except those.
	if n := duringHold.Load(); n > api.DefaultParallel {
		t.Fatalf("%d requests went out while the window was closed", n)
	}
	for _, d := range held {
		if !afterReset(d, time.Second) {
			t.Fatalf("waits %v, want each the reset (1s) and its margin", held)
		}
	}
}
