package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// startLimitedCLI is the large organisation under Buildkite's two REST
// windows (200 a minute for the organisation, 50 for the user), on a
// clock the test moves, which the commands' clients run on too.
func startLimitedCLI(t *testing.T, clock *sandboxtest.Clock) *cliEnv {
	t.Helper()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, Clock: clock,
		RateLimit: sandbox.DefaultRateLimit, UserRateLimit: sandbox.DefaultUserRateLimit}, nil)
	commandClock = clock
	t.Cleanup(func() { commandClock = nil })
	dir := t.TempDir()
	return &cliEnv{Env: env, token: env.Sandbox.Token(), dir: dir, auditLog: filepath.Join(dir, "audit.log")}
}

// noteWriter is a command's stderr that hands each line saying a wait to
// the test as it is written.
type noteWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	waits chan string
}

func (w *noteWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.Contains(string(p), "waiting") {
		w.waits <- string(p)
	}
	return w.buf.Write(p)
}

// runAsync runs the command line in its own goroutine: its waits are on
// the test's clock, which the test moves while it runs.
func (e *cliEnv) runAsync(stderr *noteWriter, args ...string) <-chan result {
	done := make(chan result, 1)
	args = append(args, "--endpoint", e.Server.URL, "--org", e.Sandbox.Org(), "--audit-log", e.auditLog)
	go func() {
		var out bytes.Buffer
		code := Execute(context.Background(), args, &out, stderr, e.getenv)
		stderr.mu.Lock()
		defer stderr.mu.Unlock()
		done <- result{code, out.String(), stderr.buf.String()}
	}()
	return done
}

func restRequests(e *cliEnv) int {
	n := 0
	for _, r := range e.Sandbox.Requests() {
		if r.Method == http.MethodGet {
			n++
		}
	}
	return n
}

func refusedRequests(e *cliEnv) int {
	n := 0
	for _, r := range e.Sandbox.Requests() {
		if r.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// `agent list` on the large organisation is 30 pages: within the user's
// 50 a minute, so it never waits. It used to hold 20 of the window back
// for changes it would not make, and waited a minute for its last page.
func TestAgentListSpendsTheUsersWholeWindow(t *testing.T) {
	clock := sandboxtest.NewClock()
	e := startLimitedCLI(t, clock)
	stderr := &noteWriter{waits: make(chan string, 64)}
	done := e.runAsync(stderr, "agent", "list", "--json")
	select {
	case r := <-done:
		var agents []json.RawMessage
		if r.code != 0 || json.Unmarshal([]byte(r.out), &agents) != nil || len(agents) < 2000 {
			t.Fatalf("exit %d, %d agents; stderr %q", r.code, len(agents), r.errOut)
		}
		if n := refusedRequests(e); n != 0 {
			t.Fatalf("%d requests refused", n)
		}
	case note := <-stderr.waits:
		clock.Add(2 * time.Minute) // let it end
		<-done
		t.Fatalf("waited with budget left (%d requests made): %q", len(e.Sandbox.Requests()), note)
	case <-time.After(60 * time.Second): // a bound for a hang
		t.Fatal("agent list neither ended nor said a wait")
	}
}

// `pipeline list` on 10,000 pipelines is 100 pages, two of the user's
// windows (the clusters' names come over GraphQL, not a 101st REST
// request that would wait for a third): it spends the first whole, says
// the wait on stderr as it starts, naming the user's window, and no
// request is refused.
func TestPipelineListSaysEachWaitAndSpendsWholeWindows(t *testing.T) {
	clock := sandboxtest.NewClock()
	e := startLimitedCLI(t, clock)
	stderr := &noteWriter{waits: make(chan string, 64)}
	// One page at a time, so that one request waits, and the clock's
	// sleepers are known: it and the budget watcher's ticker.
	done := e.runAsync(stderr, "pipeline", "list", "--json", "--parallel", "1")
	var notes []string
	var perWindow []int
	made := 0
	for {
		select {
		case r := <-done:
			var pipelines []json.RawMessage
			if r.code != 0 || json.Unmarshal([]byte(r.out), &pipelines) != nil || len(pipelines) != 10000 {
				t.Fatalf("exit %d, %d pipelines; stderr %q", r.code, len(pipelines), r.errOut)
			}
			if n := refusedRequests(e); n != 0 {
				t.Fatalf("%d requests refused", n)
			}
			if rest := restRequests(e); len(notes) != 1 || perWindow[0] != 50 || rest != 100 {
				t.Fatalf("%d waits said (%q), REST requests per window %v, %d in all: want 1 wait, 50 in the first window, 100 in all", len(notes), notes, perWindow, rest)
			}
			for _, n := range notes {
				if !strings.HasPrefix(n, "waiting for your API budget (50/min) · ") {
					t.Fatalf("the wait is said as %q", n)
				}
			}
			return
		case note := <-stderr.waits:
			notes = append(notes, note)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a bound for a hang
			err := clock.BlockUntilContext(ctx, 2)
			cancel()
			if err != nil {
				t.Fatalf("the wait said (%q) is not waited: %v", note, err)
			}
			n := restRequests(e)
			perWindow = append(perWindow, n-made)
			made = n
			clock.Add(61 * time.Second)
		case <-time.After(3 * time.Minute): // a bound for a hang (100 pages under -race on a loaded machine)
			t.Fatalf("pipeline list neither ended nor said a wait; waits said %q", notes)
		}
	}
}

// A 429 of the user's window is said as the user's, not the
// organisation's.
func TestAUsers429IsSaidAsTheUsers(t *testing.T) {
	budgetWatchEvery = 10 * time.Millisecond
	t.Cleanup(func() { budgetWatchEvery = 250 * time.Millisecond })
	var refused sync.Once
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			first := false
			refused.Do(func() { first = true })
			if first {
				w.Header().Set("RateLimit-User-Limit", "50")
				w.Header().Set("RateLimit-User-Remaining", "0")
				w.Header().Set("RateLimit-User-Reset", "1")
				w.Header().Set("RateLimit-Limit", "200")
				w.Header().Set("RateLimit-Remaining", "150")
				w.Header().Set("RateLimit-Reset", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"message":"You have exceeded your API rate limit.","scope":"rest_user","limit":50,"current":51,"reset":1}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	r := e.run(t, "queue", "list", "--cluster", "Mobile")
	if r.code != 0 || strings.Count(r.errOut, "waiting") != 1 || !strings.Contains(r.errOut, "your API budget (50/min) is spent (429)") {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
}

// Requests waiting for one window's reset each add their own margin, so
// they wake up to half a second apart: the wait is said once, not again
// as "· 1 s" when the first of them has woken. The next window's wait is
// said.
func TestAWindowsWaitIsSaidOnceHoweverManyRequestsWaitForIt(t *testing.T) {
	now := sandboxtest.Now
	reset := now.Add(59 * time.Second)
	wait := func(until time.Time) api.Budget {
		return api.Budget{WaitingUntil: until, WaitingScope: api.ScopeUser, WaitingLimit: 50}
	}
	said, text := nextBudgetNote(wait(reset.Add(120*time.Millisecond)), now, budgetNote{})
	if !strings.HasPrefix(text, "waiting for your API budget (50/min) · 60 s") {
		t.Fatalf("the wait is said as %q", text)
	}
	// The first request has woken; the last still waits for the same reset.
	if _, text := nextBudgetNote(wait(reset.Add(480*time.Millisecond)), reset.Add(250*time.Millisecond), said); text != "" {
		t.Fatalf("the same wait is said again: %q", text)
	}
	if _, text := nextBudgetNote(wait(reset.Add(time.Minute)), reset.Add(time.Second), said); !strings.HasPrefix(text, "waiting for your API budget (50/min) · 59 s") {
		t.Fatalf("the next window's wait is said as %q", text)
	}
}
