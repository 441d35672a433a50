package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// allQueues lists every queue of the organisation over REST.
func allQueues(t testing.TB, c *api.Client) ([]model.Cluster, []model.Queue) {
	t.Helper()
	ctx := context.Background()
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var queues []model.Queue
	for _, cl := range clusters {
		qs, err := c.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		queues = append(queues, qs...)
	}
	return clusters, queues
}

// TestGraphQLCountsEqualRESTCounts counts every queue of a live
// organisation twice on the same state, the clock standing still: over
// GraphQL (QueueCounts), and from REST as the console did before
// (QueueLoads for the jobs, the agents list for the agents). A failing
// build's jobs (a running build with a failed job) are among them.
func TestGraphQLCountsEqualRESTCounts(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, Now: clock.Now}, nil)
	c := env.ClientWith(t, api.Config{Clock: clock})
	ctx := context.Background()
	// Move on until a failing build has a job waiting or running.
	for step := 0; ; step++ {
		failing, err := c.ListBuilds(ctx, model.BuildFilter{States: []string{model.BuildFailing}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if hasActiveJob(failing) {
			break
		}
		if step == 500 {
			t.Fatal("no failing build with an active job in 500 steps of the simulation")
		}
		clock.Add(10 * time.Second)
	}
	_, queues := allQueues(t, c)
	loads, err := c.QueueLoads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := c.QueueCounts(ctx, queues)
	if err != nil {
		t.Fatal(err)
	}
	waiting, exactOldest := 0, 0
	for _, q := range queues {
		agents, err := c.ListAgents(ctx, model.AgentListFilter{ClusterQueueID: q.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var rest api.LiveCount
		rest.Connected = len(agents)
		for _, a := range agents {
			if a.Busy() {
				rest.Busy++
			}
			if a.Paused {
				rest.Paused++
			}
		}
		rest.Waiting, rest.OldestWaiting = loads[q.ID].Waiting, loads[q.ID].OldestWaiting
		got := counts[q.ID]
		if got.Connected != rest.Connected || got.Busy != rest.Busy || got.Paused != rest.Paused || got.Waiting != rest.Waiting {
			t.Errorf("queue %s: GraphQL %+v, REST %+v", q.Key, got, rest)
		}
		if got.Busy != loads[q.ID].Running {
			t.Errorf("queue %s: %d busy agents over GraphQL, %d running jobs over REST", q.Key, got.Busy, loads[q.ID].Running)
		}
		if !got.OldestWaiting.Equal(rest.OldestWaiting) || got.OldestAtLeast {
			t.Errorf("queue %s (%d waiting): oldest waiting %v (at least: %v) over GraphQL, %v over REST", q.Key, rest.Waiting, got.OldestWaiting, got.OldestAtLeast, rest.OldestWaiting)
		}
		if rest.Waiting > 0 && got.OldestWaiting.Equal(rest.OldestWaiting) {
			exactOldest++
		}
		waiting += rest.Waiting
	}
	if waiting == 0 || exactOldest == 0 {
		t.Fatalf("nothing waits (%d jobs, %d queues whose oldest agree): the test compares nothing", waiting, exactOldest)
	}
	t.Logf("%d queues, %d jobs waiting, the oldest wait the same on %d queues", len(queues), waiting, exactOldest)
}

func hasActiveJob(builds []model.Build) bool {
	for _, b := range builds {
		for _, j := range b.Jobs {
			if model.JobWaitingForAgent(j.State) || model.JobOnAgent(j.State) {
				return true
			}
		}
	}
	return false
}

// TestClusterCountsAddUpTheQueues: the home screen's numbers of each
// cluster are its queues' numbers added up, the organisation's are the
// clusters', and the paused queues are the ones REST says are paused.
// (All in one query for the demo organisation's five clusters.)
func TestClusterCountsAddUpTheQueues(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, Now: clock.Now}, nil)
	c := env.ClientWith(t, api.Config{Clock: clock})
	ctx := context.Background()
	clusters, queues := allQueues(t, c)
	perQueue, err := c.QueueCounts(ctx, queues)
	if err != nil {
		t.Fatal(err)
	}
	home, err := c.ClusterCounts(ctx, clusters, true)
	if err != nil {
		t.Fatal(err)
	}
	var org api.ClusterCount
	for _, cl := range clusters {
		var sum api.LiveCount
		n, paused := 0, 0
		for _, q := range queues {
			if q.ClusterURL != cl.URL {
				continue
			}
			n++
			if q.DispatchPaused {
				paused++
			}
			var listed *model.Queue
			for i, lq := range home.Clusters[cl.ID].QueueList {
				if lq.ID == q.ID {
					listed = &home.Clusters[cl.ID].QueueList[i]
				}
			}
			switch {
			case listed == nil:
				t.Errorf("queue %s is not in its cluster's QueueList", q.Key)
			case listed.Key != q.Key || listed.DispatchPaused != q.DispatchPaused || model.Value(listed.Description) != model.Value(q.Description) ||
				model.Value(listed.DispatchPausedNote) != model.Value(q.DispatchPausedNote) ||
				listed.DispatchPausedBy.DisplayName() != q.DispatchPausedBy.DisplayName() ||
				(q.DispatchPausedAt == nil) != (listed.DispatchPausedAt == nil) ||
				(q.DispatchPausedAt != nil && !q.DispatchPausedAt.Equal(listed.DispatchPausedAt.Time)):
				t.Errorf("queue %s: listed over GraphQL as %+v, REST says %+v", q.Key, *listed, q)
			}
			l := perQueue[q.ID]
			sum.Connected += l.Connected
			sum.Busy += l.Busy
			sum.Waiting += l.Waiting
		}
		got := home.Clusters[cl.ID]
		if got.Connected != sum.Connected || got.Busy != sum.Busy || got.Waiting != sum.Waiting ||
			got.Queues != n || !got.PausedKnown || got.PausedQueues != paused {
			t.Errorf("cluster %s: %+v; its queues add up to %+v, %d queues, %d paused", cl.Name, got, sum, n, paused)
		}
		org.Connected += sum.Connected
		org.Waiting += sum.Waiting
	}
	if home.Org.Connected != org.Connected || home.Org.Waiting != org.Waiting {
		t.Errorf("organisation %+v, clusters add up to %+v", home.Org, org)
	}
	if org.Connected == 0 {
		t.Fatal("no agents: the test compares nothing")
	}
}

// publishedSchema is Buildkite's published schema (a copy of
// ../shared/spec/current/graphql/schema.graphql in the repository).
func publishedSchema(t testing.TB) *ast.Schema {
	t.Helper()
	src, err := os.ReadFile("gqlschema/testdata/buildkite-schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "buildkite-schema.graphql", Input: string(src)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// captureGraphQL records the body of every GraphQL request that reaches
// the sandbox.
type captureGraphQL struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (c *captureGraphQL) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == sandbox.GraphQLPath {
			body, _ := io.ReadAll(r.Body)
			c.mu.Lock()
			c.bodies = append(c.bodies, body)
			c.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.ServeHTTP(w, r)
	})
}

// TestEveryQuerySentIsValidForThePublishedSchema validates every GraphQL
// document the client sends, as it reached the wire, against Buildkite's
// published schema (not the subset the sandbox serves), with its
// variables; a large organisation makes QueueCounts batch.
func TestEveryQuerySentIsValidForThePublishedSchema(t *testing.T) {
	var capture captureGraphQL
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 100}, capture.wrap)
	c := env.Client
	clusters, queues := allQueues(t, c)
	ctx := context.Background()
	if _, err := c.QueueCounts(ctx, queues); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClusterCounts(ctx, clusters, true); err != nil {
		t.Fatal(err)
	}
	if len(capture.bodies) < 4 {
		t.Fatalf("%d GraphQL requests for %d queues: no batching to check", len(capture.bodies), len(queues))
	}
	validForThePublishedSchema(t, capture.bodies)
}

// validForThePublishedSchema checks GraphQL requests' bodies against
// Buildkite's published schema: valid queries, every non-null variable
// given.
func validForThePublishedSchema(t *testing.T, bodies [][]byte) {
	t.Helper()
	pub := publishedSchema(t)
	for _, body := range bodies {
		var req struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatal(err)
		}
		doc, errs := gqlparser.LoadQuery(pub, req.Query)
		if len(errs) > 0 {
			t.Errorf("not valid for the published schema: %v\n%s", errs, req.Query)
			continue
		}
		for _, op := range doc.Operations {
			if op.Operation != ast.Query {
				t.Errorf("a %s was sent", op.Operation)
			}
			for _, v := range op.VariableDefinitions {
				if _, ok := req.Variables[v.Variable]; !ok && v.Type.NonNull {
					t.Errorf("$%s is not given", v.Variable)
				}
			}
		}
	}
}

// TestQueueCountsBatchesFarBelowTheSingleQueryLimit: a thousand queues
// are counted in queries that each ask for at most MaxGraphQLQueryPoints
// (as the sandbox counts them), and the first query's cost is what the
// sandbox charged.
func TestQueueCountsBatchesFarBelowTheSingleQueryLimit(t *testing.T) {
	var mu sync.Mutex
	var requested []int
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 100}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &headerSpy{ResponseWriter: w}
			h.ServeHTTP(rec, r)
			if r.URL.Path == sandbox.GraphQLPath {
				mu.Lock()
				requested = append(requested, rec.requested)
				mu.Unlock()
			}
		})
	})
	_, queues := allQueues(t, env.Client)
	if len(queues) < 1000 {
		t.Fatalf("%d queues", len(queues))
	}
	if _, err := env.Client.QueueCounts(context.Background(), queues); err != nil {
		t.Fatal(err)
	}
	if len(requested) < 2 {
		t.Fatalf("%d queries for %d queues", len(requested), len(queues))
	}
	for i, n := range requested {
		if n <= 0 || n > api.MaxGraphQLQueryPoints {
			t.Errorf("query %d asked for %d points, more than %d", i, n, api.MaxGraphQLQueryPoints)
		}
	}
}

type headerSpy struct {
	http.ResponseWriter
	requested int
}

func (h *headerSpy) WriteHeader(code int) {
	if v := h.Header().Get("RateLimit-Complexity-Requested"); v != "" {
		_ = json.Unmarshal([]byte(v), &h.requested)
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerSpy) Write(b []byte) (int, error) { return h.ResponseWriter.Write(b) }

// TestATokenWithoutGraphQLAccessFallsBackOnce: the first count is refused
// as Buildkite refuses such a token, and says so (GraphQLNoAccess); no
// later count is even sent, and REST goes on.
func TestATokenWithoutGraphQLAccessFallsBackOnce(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{NoGraphQLAccess: true}, nil)
	c := env.Client
	_, queues := allQueues(t, c)
	var unavailable *api.GraphQLUnavailableError
	_, err := c.QueueCounts(context.Background(), queues)
	if !errors.Is(err, api.ErrGraphQLUnavailable) || !errors.As(err, &unavailable) || unavailable.Reason != api.GraphQLNoAccess {
		t.Fatalf("err = %v, want GraphQLNoAccess", err)
	}
	sent := countRequests(env, func(r sandbox.Request) bool { return r.Path == sandbox.GraphQLPath })
	for range 3 {
		if _, err := c.QueueCounts(context.Background(), queues); !errors.Is(err, api.ErrGraphQLUnavailable) {
			t.Fatalf("err = %v", err)
		}
	}
	if again := countRequests(env, func(r sandbox.Request) bool { return r.Path == sandbox.GraphQLPath }); again != sent {
		t.Errorf("%d more GraphQL requests after the token was refused", again-sent)
	}
	if _, err := c.QueueLoads(context.Background()); err != nil {
		t.Errorf("REST after the fallback: %v", err)
	}
}

// TestSpentGraphQLWindowsFallBackUntilTheReset: once the user's GraphQL
// window is spent (a 429, or too little left for the query), counts fall
// back (GraphQLSpent, naming the window and its reset) without sending,
// and come from GraphQL again after the reset.
func TestSpentGraphQLWindowsFallBackUntilTheReset(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, RateLimit: sandbox.DefaultRateLimit,
		GraphQLUserRateLimit: sandbox.RateLimit{Limit: 100, Window: 5 * time.Minute}, UserRateLimit: sandbox.DefaultUserRateLimit}, nil)
	c := env.ClientWith(t, api.Config{Clock: clock})
	_, queues := allQueues(t, c)
	ctx := context.Background()
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		_, err = c.QueueCounts(ctx, queues)
	}
	var unavailable *api.GraphQLUnavailableError
	if !errors.As(err, &unavailable) || unavailable.Reason != api.GraphQLSpent || unavailable.Scope != api.ScopeGraphQLUser {
		t.Fatalf("err = %v, want GraphQLSpent for the user's window", err)
	}
	if wait := unavailable.Until.Sub(clock.Now()); wait <= 0 || wait > 5*time.Minute {
		t.Errorf("until the reset: %v", wait)
	}
	sent := countRequests(env, func(r sandbox.Request) bool { return r.Path == sandbox.GraphQLPath })
	if _, err := c.QueueCounts(ctx, queues); !errors.Is(err, api.ErrGraphQLUnavailable) {
		t.Errorf("err = %v, want the fallback while the window is spent", err)
	}
	if again := countRequests(env, func(r sandbox.Request) bool { return r.Path == sandbox.GraphQLPath }); again != sent {
		t.Errorf("%d GraphQL requests sent into a spent window", again-sent)
	}
	b := c.Budget()
	if w, ok := b.BindingWindow(clock.Now()); !ok || w.Scope != api.ScopeGraphQLUser {
		t.Errorf("binding window %+v, want the user's GraphQL window", w)
	}
	clock.Add(5*time.Minute + time.Second)
	if _, err := c.QueueCounts(ctx, queues); err != nil {
		t.Errorf("after the reset: %v", err)
	}
}

// TestAGraphQLErrorFallsBack: a failing endpoint is GraphQLFailed, not a
// count of zero.
func TestAGraphQLErrorFallsBack(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == sandbox.GraphQLPath {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(`{"errors":[{"message":"Something went wrong"}]}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	_, queues := allQueues(t, env.Client)
	_, err := env.Client.QueueCounts(context.Background(), queues)
	var unavailable *api.GraphQLUnavailableError
	if !errors.As(err, &unavailable) || unavailable.Reason != api.GraphQLFailed {
		t.Fatalf("err = %v, want GraphQLFailed", err)
	}
}

// TestTheGraphQLEndpointIsFoundFromTheRESTOne: Buildkite's REST API means
// Buildkite's GraphQL API; any other endpoint (the sandbox's) serves it at
// /graphql; a configured one wins.
func TestTheGraphQLEndpointIsFoundFromTheRESTOne(t *testing.T) {
	for _, tc := range []struct{ rest, configured, want string }{
		{"", "", api.DefaultGraphQLEndpoint},
		{"https://api.buildkite.com/", "", api.DefaultGraphQLEndpoint},
		{"http://127.0.0.1:8080", "", "http://127.0.0.1:8080/graphql"},
		{"http://127.0.0.1:8080", "https://proxy.example/gql", "https://proxy.example/gql"},
	} {
		c, err := api.New(api.Config{Endpoint: tc.rest, GraphQLEndpoint: tc.configured, Org: "acme", Token: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.GraphQLEndpoint(); got != tc.want {
			t.Errorf("REST %q, configured %q: %q, want %q", tc.rest, tc.configured, got, tc.want)
		}
	}
	if _, err := api.New(api.Config{GraphQLEndpoint: "ftp://x", Org: "acme", Token: "t"}); err == nil {
		t.Error("an ftp GraphQL endpoint was taken")
	}
}

// TestAReadOnlyClientCountsOverGraphQL: counts are reads, so read-only
// mode does not stop them, and no change is audited.
func TestAReadOnlyClientCountsOverGraphQL(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	var changes []api.ChangeEvent
	c := env.ClientWith(t, api.Config{ReadOnly: true, OnChange: func(_ context.Context, ev api.ChangeEvent) { changes = append(changes, ev) }})
	_, queues := allQueues(t, c)
	if _, err := c.QueueCounts(context.Background(), queues); err != nil {
		t.Fatal(err)
	}
	if len(changes) > 0 {
		t.Errorf("counts were audited as changes: %+v", changes)
	}
}

// TestBackgroundCountsLeaveAFifthOfTheWindowToLooks: refreshes nobody
// asked for just now stop while what is left of a GraphQL window, less the
// query, is under a fifth of it; a person's look still counts then.
func TestBackgroundCountsLeaveAFifthOfTheWindowToLooks(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, RateLimit: sandbox.DefaultRateLimit,
		GraphQLUserRateLimit: sandbox.RateLimit{Limit: 600, Window: 5 * time.Minute}}, nil)
	c := env.ClientWith(t, api.Config{Clock: clock})
	_, queues := allQueues(t, c)
	bg := api.InBackground(context.Background())
	var err error
	for i := 0; i < 500 && err == nil; i++ {
		_, err = c.QueueCounts(bg, queues[:1])
	}
	var unavailable *api.GraphQLUnavailableError
	if !errors.As(err, &unavailable) || unavailable.Reason != api.GraphQLSpent {
		t.Fatalf("err = %v, want the background stopped", err)
	}
	if left := c.Budget().GraphQLUser.Remaining; left < 600/5 || left > 600/5+20 {
		t.Errorf("background stopped with %d of 600 left, want a fifth (and a query) kept", left)
	}
	if _, err := c.QueueCounts(context.Background(), queues[:1]); err != nil {
		t.Errorf("a look at the fifth: %v", err)
	}
}

// TestSessionsShareOneCountQuery: with the shared cache on (serve's), a
// count another session just made is not asked for again: ten viewers
// cost what one does.
func TestSessionsShareOneCountQuery(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock}, nil)
	c := env.ClientWith(t, api.Config{Clock: clock, CacheFor: 10 * time.Second})
	_, queues := allQueues(t, c)
	first, err := c.QueueCounts(context.Background(), queues)
	if err != nil {
		t.Fatal(err)
	}
	for range 9 {
		other := c.WithAccess(true, nil)
		again, err := other.QueueCounts(api.InBackground(context.Background()), queues)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != len(first) {
			t.Fatalf("%d counts, then %d", len(first), len(again))
		}
	}
	if n := countRequests(env, func(r sandbox.Request) bool { return r.Path == sandbox.GraphQLPath }); n != 1 {
		t.Errorf("%d count queries for ten sessions, want 1", n)
	}
	clock.Add(11 * time.Second)
	if _, err := c.QueueCounts(context.Background(), queues); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(env, func(r sandbox.Request) bool { return r.Path == sandbox.GraphQLPath }); n != 2 {
		t.Errorf("%d count queries after the cache's lifetime, want 2", n)
	}
}

// TestTheClientSaysWhyCountsComeFromREST: the last GraphQL read's failure
// is kept for the header to say (nil before any and after a success).
func TestTheClientSaysWhyCountsComeFromREST(t *testing.T) {
	refused := sandboxtest.Start(t, sandbox.Options{NoGraphQLAccess: true}, nil)
	_, queues := allQueues(t, refused.Client)
	if u := refused.Client.GraphQLUnavailable(); u != nil {
		t.Fatalf("before any GraphQL read: %v", u)
	}
	_, _ = refused.Client.QueueCounts(context.Background(), queues[:1])
	if u := refused.Client.GraphQLUnavailable(); u == nil || u.Reason != api.GraphQLNoAccess || u.Said() != "the API token has no GraphQL access" {
		t.Fatalf("after a refused token: %v", u)
	}
	ok := sandboxtest.Start(t, sandbox.Options{}, nil)
	_, queues = allQueues(t, ok.Client)
	if _, err := ok.Client.QueueCounts(context.Background(), queues[:1]); err != nil {
		t.Fatal(err)
	}
	if u := ok.Client.GraphQLUnavailable(); u != nil {
		t.Errorf("after a GraphQL read: %v", u)
	}
}

// TestPausedAgentQueuesNameTheQueuesOfPausedAgents: the queues GraphQL
// names are those of the agents REST says are paused.
func TestPausedAgentQueuesNameTheQueuesOfPausedAgents(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	c := env.Client
	ctx := context.Background()
	got, ok, err := c.PausedAgentQueues(ctx)
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	agents, err := c.ListAgents(ctx, model.AgentListFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, a := range agents {
		if a.Paused {
			_, rest, _ := strings.Cut(a.WebURL, "/queues/")
			id, _, _ := strings.Cut(rest, "/")
			want[id]++
		}
	}
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paused agents by queue: GraphQL %v, REST %v", got, want)
	}
}
