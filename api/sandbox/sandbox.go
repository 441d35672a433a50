// Package sandbox is an in-memory Buildkite REST API: an http.Handler that
// serves the clusters, queues, agent-token, pipelines, agents, builds and
// jobs endpoints of ../shared/spec over seeded, deterministic organisations,
// with a simulation of agents running builds on its clock (sim.go). It backs
// `kiteconsole --demo`, the standalone `kiteconsole sandbox` command, and
// every test that talks HTTP.
package sandbox

import (
	"crypto/subtle"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/model"
)

// Size names a seeded organisation.
type Size string

// The seeded organisations.
const (
	// SizeDemo has five clusters with emoji and colours, twelve queues
	// (hosted Linux and macOS among them, one paused with a note), tokens
	// (one expired, one expiring within a week) and about forty pipelines.
	SizeDemo Size = "demo"
	// SizeLarge has 25 clusters, 1,000 queues, 250 tokens and 10,000
	// pipelines, for measuring the console at organisation scale.
	SizeLarge Size = "large"
	// SizeEmpty has no clusters or pipelines.
	SizeEmpty Size = "empty"
)

// Defaults of Options.
const (
	DefaultOrg           = "acme"
	DefaultToken         = "sandbox-token"
	DefaultReadOnlyToken = "sandbox-read-only-token"
)

// Options configure a sandbox. The zero value serves the demo organisation
// "acme" to the token DefaultToken.
type Options struct {
	Org  string // organisation slug; DefaultOrg when empty
	Size Size   // SizeDemo when empty
	// Token is accepted with every scope; ReadOnlyToken with the read
	// scopes only, so writes get 403. Empty means the defaults above.
	Token         string
	ReadOnlyToken string
	// Latency is added to every request, as a distant API would, on
	// Clock.
	Latency time.Duration
	// Clock is the sandbox's clock (the real one when nil): the live
	// simulation moves on it, the rate-limit windows reset on it, the
	// latency and the faults' delays are waited on it, and the seeded
	// data is laid out relative to its time (a queue paused "2 hours
	// ago"). A test gives the same fake clock to the client and the
	// console, and moves it by hand.
	Clock clockwork.Clock
	// Now, when set, is the time the organisation stands at instead of
	// Clock's: the seeded data, the simulation and the times the API
	// writes. Tests of a still organisation fix it; the windows, the
	// latency and the faults still run on Clock.
	Now func() time.Time
	// Seed picks the seeded data; the same seed gives the same data.
	Seed uint64
	// RateLimit is the organisation's request window (off when zero; the
	// sandbox command and the demo use DefaultRateLimit).
	RateLimit RateLimit
	// Quiet keeps the simulation still: the agents are there, idle, and
	// no builds arrive (nor any from before: no warm-up). For tests of
	// other parts that want the organisation as it always was.
	Quiet bool
	// UserRateLimit is each user's own request window, counted for the
	// user behind the token besides the organisation's (off when zero;
	// the sandbox command and the demo use DefaultUserRateLimit). Token
	// and ReadOnlyToken belong to two different users.
	UserRateLimit RateLimit
	// UserTokens adds users, each with a full-access token of its own:
	// user name → token. Tests of the per-user window use them.
	UserTokens map[string]string
	// ScopedTokens adds tokens of the operator's, each with only the
	// scopes given (token → scopes, such as write_builds, read_agents):
	// a request that needs a scope its token lacks gets Buildkite's 403,
	// and GET /v2/access-token lists the token's scopes. Tests and the
	// demo make mixed tokens with them (ParseScopedToken reads the
	// command line's NAME=scope,scope form).
	ScopedTokens map[string][]string
	// LargePipelines, when set, is how many pipelines SizeLarge seeds
	// instead of 10,000, its clusters, queues and tokens unchanged: a test
	// of paging needs many pages, not organisation scale, and each page
	// of pipelines costs as much as at scale.
	LargePipelines int
	// GraphQLRateLimit and GraphQLUserRateLimit are the GraphQL API's
	// windows in complexity points (graphql.go): when zero, Buildkite's
	// (20,000 and 5,000 per five minutes) wherever the matching REST window
	// is on, else off.
	GraphQLRateLimit, GraphQLUserRateLimit RateLimit
	// NoGraphQLAccess refuses every token at the GraphQL endpoint, as
	// Buildkite refuses a token without "Enable GraphQL API Access".
	NoGraphQLAccess bool
}

// Request is one request the sandbox answered, for tests to assert on
// what reached the API.
type Request struct {
	Method string
	Path   string // path and query
	Status int
	Token  string // which configured token was used: "full", "read-only", "user:NAME", "scoped:TOKEN" or ""
	At     time.Time
	Fault  Fault // the fault injected, if any
}

// Server is the sandbox. It is safe for concurrent use.
type Server struct {
	opts    Options
	mux     *http.ServeMux
	mu      sync.Mutex
	org     *organization
	rng     *rand.Rand
	ids     *rand.ChaCha8
	log     []Request
	latency time.Duration

	faults   *Faults
	faultRNG *rand.Rand

	// closed ends every request the sandbox holds (a latency, a hang
	// fault) once Close is called.
	closed    chan struct{}
	closeOnce sync.Once

	rateLimit RateLimit
	window    rateWindow

	// sim is the live part: agents, builds and jobs (sim.go).
	sim           *simulation
	userRateLimit RateLimit
	// userWindows is each user's window, by grant.userKey.
	userWindows map[string]*rateWindow
	// userGrants are the grants of Options.UserTokens, by token.
	userGrants map[string]*grant
	// gql is the GraphQL API's windows (graphql.go).
	gql *graphQLState
}

// clock is the time the rate-limit windows are read against.
func (s *Server) clock() time.Time { return s.opts.Clock.Now() }

// grant is what a bearer token may do.
type grant struct {
	name string
	user *model.User
	// scopes are the token's scopes; nil is every scope.
	scopes map[string]bool
	// userKey names the user whose window the token's requests spend.
	userKey string
}

// has reports whether the token has scope (any scope, for "").
func (g *grant) has(scope string) bool { return scope == "" || g.scopes == nil || g.scopes[scope] }

// scopeList is the token's scopes as GET /v2/access-token lists them:
// the known ones in their usual order, then any others sorted.
func (g *grant) scopeList() []string {
	if g.scopes == nil {
		return slices.Clone(fullScopes)
	}
	var out, other []string
	for _, sc := range fullScopes {
		if g.scopes[sc] {
			out = append(out, sc)
		}
	}
	for sc := range g.scopes {
		if !slices.Contains(fullScopes, sc) {
			other = append(other, sc)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// scopeSet is a list of scopes as a set.
func scopeSet(scopes []string) map[string]bool {
	out := make(map[string]bool, len(scopes))
	for _, sc := range scopes {
		out[sc] = true
	}
	return out
}

// New builds a sandbox with its seeded organisation.
// Close lets go every request the sandbox holds (a latency, a hang
// fault) and any it is given after: for a server closing down, whose
// clock may no longer move. A request whose body the sandbox has not
// read is not told that its connection closed, so closing the
// connection alone does not end it.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

func New(opts Options) *Server {
	if opts.Org == "" {
		opts.Org = DefaultOrg
	}
	if opts.Size == "" {
		opts.Size = SizeDemo
	}
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.ReadOnlyToken == "" {
		opts.ReadOnlyToken = DefaultReadOnlyToken
	}
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	if opts.Now == nil {
		opts.Now = opts.Clock.Now
	}
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], opts.Seed)
	copy(seed[8:], "kiteconsole-sandbox-seed")
	s := &Server{opts: opts, ids: rand.NewChaCha8(seed), latency: opts.Latency, rateLimit: opts.RateLimit,
		userRateLimit: opts.UserRateLimit, userWindows: map[string]*rateWindow{}, closed: make(chan struct{})}
	s.rng = rand.New(rand.NewPCG(opts.Seed, 0x6b697465))
	s.org = s.seed(opts.Org, opts.Size, opts.Now())
	s.sim = newSimulation(opts.Seed)
	s.seedAgents(opts.Now())
	s.userGrants = map[string]*grant{}
	for name, token := range opts.UserTokens {
		// The user's id comes from its name, not the seeded stream, so
		// adding users leaves the seeded organisation as it was.
		id := uuid.NewSHA1(uuid.NameSpaceOID, []byte("kiteconsole-sandbox-user:"+name)).String()
		u := &model.User{ID: id, GraphQLID: graphQLID("User", id), Name: name}
		s.userGrants[token] = &grant{name: "user:" + name, user: u, userKey: "user:" + name}
	}
	s.gql = s.newGraphQL()
	for token, scopes := range opts.ScopedTokens {
		s.userGrants[token] = &grant{name: "scoped:" + token, user: s.org.operator, scopes: scopeSet(scopes), userKey: "scoped:" + token}
	}
	s.routes()
	return s
}

// Org is the slug of the sandbox's organisation.
func (s *Server) Org() string { return s.opts.Org }

// Token is the full-access API token.
func (s *Server) Token() string { return s.opts.Token }

// ReadOnlyToken is the token with read scopes only.
func (s *Server) ReadOnlyToken() string { return s.opts.ReadOnlyToken }

// SetLatency changes the latency added to every request.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// Requests returns a copy of the log of answered requests, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetRequests clears the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
}

// maxLog bounds the request log so a long-running sandbox cannot grow
// without limit; tests stay far below it.
const maxLog = 1 << 20

// ServeHTTP answers one request: latency, then authentication, then the
// endpoint, and the request is logged with its status.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		t := s.opts.Clock.NewTimer(latency)
		select {
		case <-t.Chan():
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closed:
			t.Stop()
			return
		}
	}
	if fault, cfg := s.drawFault(); fault != "" {
		s.mu.Lock()
		s.log = append(s.log, Request{Method: r.Method, Path: r.URL.RequestURI(), Token: "", At: s.opts.Now(), Fault: fault})
		s.mu.Unlock()
		if s.injectFault(w, r, fault, cfg) {
			return
		}
	}
	g := s.authenticate(r)
	tokenName := ""
	if g != nil {
		tokenName = g.name
	}
	// The request is logged when its status is written, before its body:
	// a client that has read the reply can rely on the log holding it.
	rec := &statusRecorder{ResponseWriter: w, logged: func(status int) {
		s.mu.Lock()
		if len(s.log) >= maxLog {
			s.log = s.log[len(s.log)/2:]
		}
		s.log = append(s.log, Request{Method: r.Method, Path: r.URL.RequestURI(), Status: status, Token: tokenName, At: s.opts.Now()})
		s.mu.Unlock()
	}}
	if r.URL.Path == GraphQLPath {
		// GraphQL is metered in points, by windows of its own.
		s.serveGraphQL(rec, r, g)
		return
	}
	if g != nil {
		// Every authenticated request spends from the organisation's
		// window and its user's, whatever it asks for; past either limit
		// it is refused, with the scope of the window that refused it.
		s.mu.Lock()
		sp := s.spend(g.userKey, s.clock())
		s.mu.Unlock()
		rateHeaders(rec.Header(), sp)
		if sp.refusedBy != "" {
			writeJSON(rec, http.StatusTooManyRequests, sp.exceeded())
			return
		}
	}
	if g == nil {
		writeMessage(rec, http.StatusUnauthorized, "Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication")
		return
	}
	s.mux.ServeHTTP(rec, r.WithContext(withGrant(r.Context(), g)))
}

func (s *Server) authenticate(r *http.Request) *grant {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return nil
	}
	tok := []byte(strings.TrimSpace(h[len(prefix):]))
	switch {
	case subtle.ConstantTimeCompare(tok, []byte(s.opts.Token)) == 1:
		return &grant{name: "full", user: s.org.operator, userKey: "full"}
	case subtle.ConstantTimeCompare(tok, []byte(s.opts.ReadOnlyToken)) == 1:
		// Another user (a viewer) in all but the seeded name: it never
		// creates anything, and its window is its own.
		return &grant{name: "read-only", user: s.org.operator, scopes: scopeSet(readScopes), userKey: "read-only"}
	}
	for token, g := range s.userGrants {
		if subtle.ConstantTimeCompare(tok, []byte(token)) == 1 {
			return g
		}
	}
	return nil
}

// statusRecorder reports the status of a reply once, as it is written.
type statusRecorder struct {
	http.ResponseWriter
	logged func(status int)
	done   bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.done {
		r.done = true
		r.logged(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.done {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// newID returns a random (version 4) UUID from the sandbox's seeded
// stream, so the same seed gives the same ids. Callers hold s.mu or are
// seeding.
func (s *Server) newID() string {
	id, err := uuid.NewRandomFromReader(s.ids)
	if err != nil { // ChaCha8 never fails to read
		panic(err)
	}
	return id.String()
}
