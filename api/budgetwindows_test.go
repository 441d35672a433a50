package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// TestBindingWindowWeighsAllFourWindows: of REST's windows (requests) and
// GraphQL's (points), the binding one is the one with the smallest part of
// itself left; a window held after a 429 has none left; windows no reply
// told of are not counted.
func TestBindingWindowWeighsAllFourWindows(t *testing.T) {
	now := sandboxtest.Now
	at := func(d time.Duration) time.Time { return now.Add(d) }
	w := func(limit, remaining int, reset time.Duration) api.Window {
		return api.Window{Known: true, Limit: limit, Remaining: remaining, ResetAt: at(reset)}
	}
	if _, ok := (api.Budget{}).BindingWindow(now); ok {
		t.Error("a binding window before any reply")
	}
	for _, tc := range []struct {
		name      string
		b         api.Budget
		scope     string
		remaining int
		text      string
	}{
		{"GraphQL user's fifth left", api.Budget{Org: w(200, 150, 40*time.Second), User: w(50, 30, 40*time.Second),
			GraphQLOrg: w(20000, 19000, 200*time.Second), GraphQLUser: w(5000, 1000, 187*time.Second)},
			api.ScopeGraphQLUser, 1000, "1000/5000 pts you · resets 187s"},
		{"REST user's tenth left", api.Budget{Org: w(200, 150, 40*time.Second), User: w(50, 5, 42*time.Second),
			GraphQLOrg: w(20000, 19000, 200*time.Second), GraphQLUser: w(5000, 1000, 187*time.Second)},
			api.ScopeUser, 5, "5/50 you · resets 42s"},
		{"the organisation's GraphQL window", api.Budget{User: w(50, 45, 42*time.Second), GraphQLOrg: w(20000, 1500, 90*time.Second)},
			api.ScopeGraphQL, 1500, "1500/20000 pts org · resets 90s"},
		{"a REST 429 holds the organisation's window", api.Budget{Org: w(200, 150, 40*time.Second), User: w(50, 45, 40*time.Second),
			HeldUntil: at(30 * time.Second), HeldScope: api.ScopeOrg, GraphQLUser: w(5000, 10, 100*time.Second)},
			api.ScopeOrg, 0, "0/200 org · resets 40s"},
		{"a GraphQL 429 holds both GraphQL windows", api.Budget{Org: w(200, 10, 40*time.Second),
			GraphQLOrg: w(20000, 18000, 100*time.Second), GraphQLHeldUntil: at(120 * time.Second)},
			api.ScopeGraphQL, 0, "0/20000 pts org · resets 120s"},
		{"a reset window is whole again", api.Budget{Org: w(200, 150, 40*time.Second), User: w(50, 0, -time.Second)},
			api.ScopeOrg, 150, "150/200 org · resets 40s"},
	} {
		got, ok := tc.b.BindingWindow(now)
		if !ok || got.Scope != tc.scope || got.Remaining != tc.remaining || got.Text(now) != tc.text {
			t.Errorf("%s: %+v (%q), want %s with %d left (%q)", tc.name, got, got.Text(now), tc.scope, tc.remaining, tc.text)
		}
	}
}

// TestAChangeNeverWaitsForAnyWindow: with the user's GraphQL window spent
// (a 429 holds every GraphQL read) and REST's down to the change reserve
// (where a person's looks wait for the reset), a pause still goes out at
// once: the clock never moves.
func TestAChangeNeverWaitsForAnyWindow(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, RateLimit: sandbox.DefaultRateLimit, UserRateLimit: sandbox.DefaultUserRateLimit,
		GraphQLUserRateLimit: sandbox.RateLimit{Limit: 60, Window: 5 * time.Minute}}, nil)
	c := env.ClientWith(t, api.Config{Clock: clock})
	ctx := context.Background()
	_, queues := allQueues(t, c) // REST requests of the user's 50
	// Spend the user's GraphQL window behind the client's back, so that
	// the client's next count meets a 429.
	for {
		body := strings.NewReader(`{"query":"{ organization(slug: \"acme\") { clusters(first: 10) { edges { node { name } } } } }"}`)
		req, err := http.NewRequest(http.MethodPost, env.Server.URL+sandbox.GraphQLPath, body)
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := env.Do(t, req); resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	_, err := c.QueueCounts(ctx, queues)
	var unavailable *api.GraphQLUnavailableError
	if !errors.As(err, &unavailable) || unavailable.Reason != api.GraphQLSpent {
		t.Fatalf("err = %v, want the GraphQL window spent", err)
	}
	if c.Budget().GraphQLHeldUntil.IsZero() {
		t.Fatal("no GraphQL 429 seen")
	}
	// Spend REST's user window down to two requests, behind the client's
	// back, then let the client see it.
	for {
		resp, _ := env.Do(t, mustRequest(t, env.Server.URL+"/v2/organizations/acme/clusters"))
		if resp.Header.Get("RateLimit-User-Remaining") == "3" {
			break
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	// A person's look is not held by GraphQL's 429 either.
	goesAtOnce(t, "a look", func(ctx context.Context) error {
		_, err := c.ListClusters(api.Fresh(ctx), nil)
		return err
	})
	b := c.Budget()
	if b.User.Remaining != 2 {
		t.Fatalf("REST user window: %+v", b.User)
	}
	if w, ok := b.BindingWindow(clock.Now()); !ok || !w.Points() || w.Remaining != 0 {
		t.Errorf("binding window %+v, want a held GraphQL window", w)
	}
	queue := queues[0]
	for _, q := range queues {
		if !q.DispatchPaused {
			queue = q
			break
		}
	}
	goesAtOnce(t, "the pause", func(ctx context.Context) error {
		_, err := c.PauseQueue(ctx, clusterIDOf(queue.ClusterURL), queue.ID, "incident")
		return err
	})
	if !clock.Now().Equal(sandboxtest.Now) {
		t.Errorf("the clock moved: %v", clock.Now().Sub(sandboxtest.Now))
	}
}

// goesAtOnce runs a request that must not wait for the clock (which the
// test does not move): it fails the test, rather than hang, if it does.
func goesAtOnce(t *testing.T, what string, req func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- req(ctx) }()
	for i := 0; i < 5000; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return
		default:
			time.Sleep(time.Millisecond)
		}
	}
	t.Fatalf("%s waited for the budget", what)
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// clusterIDOf reads a cluster's ID from its API URL.
func clusterIDOf(url string) string {
	for i := len(url) - 1; i >= 0; i-- {
		if url[i] == '/' {
			return url[i+1:]
		}
	}
	return url
}
