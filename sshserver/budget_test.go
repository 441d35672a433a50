package sshserver

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/audit"
)

// TestMain keeps the sessions' pipelines index in a directory of the
// run's own, never in the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kiteconsole-sshserver-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startLargeServer serves the large organisation under both of
// Buildkite's windows (200 a minute for the organisation, 50 for the
// user behind the token) at 30 ms latency, the windows on clock.
func startLargeServer(t *testing.T, clock *sandboxtest.Clock) *harness {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no index of an earlier sandbox at the same address
	dir := t.TempDir()
	h := &harness{t: t, viewer: newSigner(t), operator: newSigner(t), stranger: newSigner(t), auditLog: filepath.Join(dir, "audit.log")}
	h.env = sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, Latency: 30 * time.Millisecond, Clock: sandboxtest.RealTimers(clock),
		RateLimit:     sandbox.RateLimit{Limit: 200, Window: time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 50, Window: time.Minute}}, nil)
	viewers := filepath.Join(dir, "viewers")
	operators := filepath.Join(dir, "operators")
	_ = os.WriteFile(viewers, gossh.MarshalAuthorizedKey(h.viewer.PublicKey()), 0o600)
	_ = os.WriteFile(operators, gossh.MarshalAuthorizedKey(h.operator.PublicKey()), 0o600)
	log, err := audit.Open(h.auditLog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	h.client = h.env.ClientWith(t, api.Config{Now: clock.Now})
	srv, err := New(Options{AuthorizedKeys: viewers, OperatorKeys: operators, HostKey: filepath.Join(dir, "host_key"), Client: h.client, Audit: log})
	if err != nil {
		t.Fatal(err)
	}
	h.addr = serveOnLoopback(t, srv)
	return h
}

// clusterName is the name of one of the large organisation's clusters,
// shown once the clusters have loaded.
var clusterName = regexp.MustCompile(`\b[a-z]+-[0-9]{2}\b`)

// Every session of the server spends the one user's window of the
// server's token, and the shared scheduler keeps a viewer who pages
// through :pipelines from holding up an operator's pause: the viewer's
// pages stop at the reserve and wait for the window, the pause goes at
// once, and nothing is refused.
func TestAViewersPipelinesDoNotHoldAnOperatorsPause(t *testing.T) {
	clock := sandboxtest.NewClock()
	h := startLargeServer(t, clock)
	viewer := h.open(h.viewer, "vera")
	eventually(t, "the viewer's home screen", func() bool { return h.count(http.MethodPost, "/graphql", viewer.from) >= 1 })
	viewer.keys(":pipelines\r")
	eventually(t, "the viewer's first page", func() bool { return h.count(http.MethodGet, "/pipelines", viewer.from) >= 1 })
	// The viewer pages down through the list, again and again: near the
	// end of what is in, a page down asks for the next page, a bulk read,
	// until the user's window is down to the reserve (a key while a page
	// is on its way asks nothing). (G asks for the last page alone.)
	atReserve := func() bool {
		b := h.client.Budget()
		return b.Known && b.Scope == api.ScopeUser && b.Remaining <= b.Reserve
	}
	// The poll presses page down (ctrl+f) until the window is at the
	// reserve.
	eventually(t, "the viewer's pages to bring the window to the reserve", func() bool {
		if atReserve() {
			return true
		}
		viewer.keys("\x06")
		return false
	})
	// Each key is typed once the screen it is for shows: a key typed
	// before its screen has loaded does nothing.
	op := h.open(h.operator, "olga")
	eventually(t, "the operator's home screen", func() bool { return clusterName.MatchString(op.received()) })
	// The operator pauses the first queue of the first cluster: p on the
	// cluster's screen.
	shown := len(op.received())
	op.keys("\r")
	eventually(t, "the operator's cluster screen", func() bool { return strings.Contains(op.received()[shown:], "arm64") })
	shown = len(op.received())
	op.keys("p")
	eventually(t, "the pause's note prompt", func() bool { return strings.Contains(op.received()[shown:], "Note (why?") })
	before := len(h.env.Sandbox.Requests())
	op.keys("incident\r")
	// Held by the budget, the pause would wait for the user's window to
	// reset, and the window is on the test's clock, which stands still:
	// the pause arrives with the window still at the reserve.
	eventually(t, "the pause", func() bool {
		return h.count(http.MethodPost, "_dispatch", before) >= 1
	})
	if !atReserve() || !clock.Now().Equal(sandboxtest.Now) {
		t.Fatalf("the window moved before the pause (at %s): %+v", clock.Now(), h.client.Budget())
	}
	users := map[string]bool{}
	for _, r := range h.env.Sandbox.Requests() {
		users[r.Token] = true
		if r.Status == http.StatusTooManyRequests {
			t.Fatalf("refused: %s %s", r.Method, r.Path)
		}
	}
	if len(users) != 1 || !users["full"] {
		t.Fatalf("the sessions' requests came as %v, want the server's one token", users)
	}
	pages := 0
	for _, r := range h.env.Sandbox.Requests() {
		if r.Method == http.MethodGet && strings.Contains(r.Path, "/pipelines?") {
			pages++
		}
	}
	t.Logf("the viewer read %d pages of pipelines; %d requests in all, none refused", pages, len(h.env.Sandbox.Requests()))
}
