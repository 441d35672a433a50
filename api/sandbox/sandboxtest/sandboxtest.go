// Package sandboxtest starts the sandbox over real HTTP for tests.
package sandboxtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

// Now is the fixed clock of sandboxes started here, so that seeded data
// and anything drawn from it is the same on every run.
var Now = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// Env is a sandbox served over HTTP, with a client for it.
type Env struct {
	Sandbox *sandbox.Server
	Server  *httptest.Server
	Client  *api.Client
}

// Start serves a sandbox for the length of the test. Without opts.Now it
// stands at Now and is quiet (sandbox.Options.Quiet: agents but no
// builds), the organisation other tests have always seen; give it a
// Clock's Now for the live simulation of agents, builds and jobs, moved
// by hand, and the Clock itself as opts.Clock for its windows, latency
// and faults to run on it too. wrap, when not nil, wraps the sandbox's handler, for tests that
// inject faults in front of it.
func Start(t testing.TB, opts sandbox.Options, wrap func(http.Handler) http.Handler) *Env {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return Now }
		opts.Quiet = true
	}
	sb := sandbox.New(opts)
	var h http.Handler = sb
	if wrap != nil {
		h = wrap(sb)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		// A request the sandbox holds (a hang fault, a latency) waits on
		// the test's clock, which no longer moves once the test is over,
		// or for its client to give up, which a client on that clock never
		// does: the sandbox lets it go (a request with a body it has not
		// read is not told its connection closed), and closing the
		// connections ends the rest, where Close alone would wait for it
		// forever.
		sb.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	client, err := api.New(api.Config{Endpoint: srv.URL, Org: sb.Org(), Token: sb.Token()})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Sandbox: sb, Server: srv, Client: client}
}

// ClientWith returns another client of the same sandbox with cfg's
// settings; Endpoint and Org are filled in, and Token when empty.
func (e *Env) ClientWith(t testing.TB, cfg api.Config) *api.Client {
	t.Helper()
	cfg.Endpoint, cfg.Org = e.Server.URL, e.Sandbox.Org()
	if cfg.Token == "" {
		cfg.Token = e.Sandbox.Token()
	}
	c, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Do sends a raw request to the sandbox as any HTTP client would, with
// the sandbox's token, and returns the response with its body read (and
// closed). A request that gets no response ends the test.
func (e *Env) Do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	req.Header.Set("Authorization", "Bearer "+e.Sandbox.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	return resp, body
}

// Writes returns the requests that reached the sandbox other than GETs
// and GraphQL queries (POSTs that read: the client sends no mutation).
func (e *Env) Writes() []sandbox.Request {
	var out []sandbox.Request
	for _, r := range e.Sandbox.Requests() {
		if r.Method != http.MethodGet && r.Path != sandbox.GraphQLPath {
			out = append(out, r)
		}
	}
	return out
}

// Clock is a clock a test moves by hand (a clockwork.FakeClock): give it
// as the sandbox's Clock (and its Now for the live simulation), the
// client's and the console's, and nothing waits on real time.
type Clock struct{ *clockwork.FakeClock }

// NewClock returns a clock standing at Now.
func NewClock() *Clock { return &Clock{clockwork.NewFakeClockAt(Now)} }

// Add moves the clock on, firing on the way every timer that falls due.
func (c *Clock) Add(d time.Duration) { c.Advance(d) }

// RealTimers tells c's time but waits in real time: for a test whose
// windows move by hand while its sandbox's latency passes on its own.
func RealTimers(c *Clock) clockwork.Clock { return realTimers{Clock: clockwork.NewRealClock(), at: c} }

type realTimers struct {
	clockwork.Clock
	at *Clock
}

func (r realTimers) Now() time.Time                  { return r.at.Now() }
func (r realTimers) Since(t time.Time) time.Duration { return r.at.Now().Sub(t) }
func (r realTimers) Until(t time.Time) time.Duration { return t.Sub(r.at.Now()) }
