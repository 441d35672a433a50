package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Counts from GraphQL, with REST as the fallback: the screens show the
// same numbers either way, and say once, in the header, when they come
// from REST.

// liveOrganisation is the demo organisation on its live simulation,
// moved on until a failing build (a running build with a failed job) has
// a job waiting or running, then standing still: both consoles of a test
// see the same state.
func liveOrganisation(t *testing.T, opts sandbox.Options) (*sandboxtest.Env, *sandboxtest.Clock) {
	t.Helper()
	clock := sandboxtest.NewClock()
	opts.Clock, opts.Now = clock, clock.Now
	env := sandboxtest.Start(t, opts, nil)
	for step := 0; ; step++ {
		failing, err := env.Client.ListBuilds(context.Background(), model.BuildFilter{States: []string{model.BuildFailing}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if hasActiveJob(failing) {
			return env, clock
		}
		if step == 500 {
			t.Fatal("no failing build with an active job in 500 steps of the simulation")
		}
		clock.Add(10 * time.Second)
	}
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

// tableRows are a frame's table rows (header and frame lines left out),
// the cursor's mark taken off.
func tableRows(frame string) []string {
	var out []string
	for _, line := range strings.Split(frame, "\n") {
		if strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "›") {
			out = append(out, strings.TrimRight(strings.TrimLeft(line, "› "), " "))
		}
	}
	return out
}

// countsShown waits until the table's rows have no "…" left.
func countsShown(d *driver, texts ...string) string {
	d.t.Helper()
	return d.waitUntil("showed every count", true, func(frame string) bool {
		// A count not yet known is a cell of its own, "…" after a column's
		// gap; a text cut short ends with one.
		for _, row := range tableRows(frame) {
			if strings.Contains(row+" ", "  … ") {
				return false
			}
		}
		return showsAll(texts)(frame)
	})
}

func graphQLRequests(env *sandboxtest.Env, from int) int {
	n := 0
	log := env.Sandbox.Requests()
	for _, r := range log[min(from, len(log)):] {
		if r.Path == sandbox.GraphQLPath {
			n++
		}
	}
	return n
}

// TestCountsFromGraphQLEqualTheRESTOnes runs two consoles on the same
// live organisation, standing still with a failing build's job active:
// one counts from GraphQL, the other's GraphQL endpoint fails, so it
// counts from REST (the active builds, the agents, each cluster's
// queues). Home and every cluster's queues show the same numbers.
func TestCountsFromGraphQLEqualTheRESTOnes(t *testing.T) {
	t.Parallel()
	env, clock := liveOrganisation(t, sandbox.Options{})
	console := func(graphQLEndpoint string) *driver {
		client := env.ClientWith(t, api.Config{Clock: clock, GraphQLEndpoint: graphQLEndpoint})
		return startModel(t, env, clock, Options{Client: client, Now: clock.Now, Demo: true, Dark: true}, 160, 48)
	}
	from := len(env.Sandbox.Requests())
	live := console("")
	liveHome := countsShown(live, "Production", "AGENTS")
	if graphQLRequests(env, from) == 0 {
		t.Fatal("the console did not count from GraphQL")
	}
	rest := console(env.Server.URL + "/no-graphql-here")
	restHome := countsShown(rest, "Production", "AGENTS", "counts from REST: the GraphQL API failed")
	if strings.Contains(liveHome, "counts from REST") {
		t.Fatalf("the GraphQL console says its counts come from REST:\n%s", liveHome)
	}
	if got, want := tableRows(liveHome), tableRows(restHome); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("home from GraphQL:\n%s\nfrom REST:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, name := range []string{"Production", "Open Source", "Mobile", "Data Platform", "Sandbox"} {
		var frames [2]string
		for i, d := range []*driver{live, rest} {
			d.keys("/")
			d.typeText(strings.ToLower(name))
			d.keys("enter", "enter")
			frames[i] = countsShown(d, "Queues (", "WAITING")
			d.keys("esc")
			d.waitFor("DEFAULT QUEUE")
			d.keys("esc")
		}
		got, want := tableRows(frames[0]), tableRows(frames[1])
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s's queues from GraphQL:\n%s\nfrom REST:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	t.Logf("home:\n%s", strings.Join(tableRows(liveHome), "\n"))
}

// TestCountsFromRESTWithATokenWithoutGraphQLAccess: every screen that
// shows counts works with a token GraphQL refuses, the header says why
// once, and no GraphQL query is sent after the first refusal.
func TestCountsFromRESTWithATokenWithoutGraphQLAccess(t *testing.T) {
	t.Parallel()
	env, clock := liveOrganisation(t, sandbox.Options{NoGraphQLAccess: true})
	client := env.ClientWith(t, api.Config{Clock: clock})
	d := startModel(t, env, clock, Options{Client: client, Now: clock.Now, Demo: true, Dark: true}, 160, 48)
	const said = "counts from REST: the API token has no GraphQL access"
	home := countsShown(d, "Production", "AGENTS", said)
	if n := strings.Count(home, "GraphQL"); n != 1 {
		t.Errorf("GraphQL is named %d times, not once:\n%s", n, home)
	}
	refused := graphQLRequests(env, 0)
	d.keys("/")
	d.typeText("mobile")
	d.keys("enter", "enter")
	countsShown(d, "Queues (3)", "WAITING", said)
	d.keys("enter")
	queue := d.waitFor("Agents (", "connected", "running", said)
	if strings.Contains(queue, "loading…") {
		t.Errorf("the queue's panel is not counted:\n%s", queue)
	}
	d.keys("tab", "p")
	d.waitFor("waiting ·", "running on")
	d.keys("esc")
	d.keys("esc", "esc")
	d.waitFor("DEFAULT QUEUE")
	d.keys(":")
	d.typeText("paused")
	d.keys("enter")
	d.waitFor("Paused queues and agents", "macos")
	if again := graphQLRequests(env, 0); again != refused {
		t.Errorf("%d GraphQL queries after the token was refused", again-refused)
	}
	if refused == 0 {
		t.Error("GraphQL was never tried")
	}
}

// TestSessionsShareOneCountQuery: the sessions of `kiteconsole serve`
// share one client (one budget, one cache, GETs and GraphQL queries sent
// once however many sessions ask): five consoles on the home screen send
// the count query of one, on opening and at the timer's recount.
func TestSessionsShareOneCountQuery(t *testing.T) {
	t.Parallel()
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock}, nil)
	// As serve makes it: a cache of half the refresh interval.
	client := env.ClientWith(t, api.Config{Clock: clock, CacheFor: 15 * time.Second})
	start := func() *driver {
		return startModel(t, env, clock, Options{Client: client, Now: clock.Now, Demo: true, Dark: true}, 160, 48)
	}
	sessions := []*driver{start()}
	countsShown(sessions[0], "Production", "AGENTS")
	one := graphQLRequests(env, 0)
	if one == 0 {
		t.Fatal("the home screen sent no GraphQL query")
	}
	for range 4 {
		d := start()
		countsShown(d, "Production", "AGENTS")
		sessions = append(sessions, d)
	}
	if all := graphQLRequests(env, 0); all != one {
		t.Errorf("five sessions opening sent %d GraphQL queries, one sent %d", all, one)
	}
	// The timer's reloads, numbered on the wall clock's grid as every
	// session numbers them: the second is a recount.
	for tick := int64(1); tick <= 2; tick++ {
		clock.Add(30 * time.Second)
		from := len(env.Sandbox.Requests())
		for _, d := range sessions {
			d.p.Send(common.RefreshMsg{Auto: true, Lane: org.Background, Tick: tick})
			d.waitUntil("finished the refresh", true, func(string) bool { return true })
		}
		if n := graphQLRequests(env, from); n > one {
			t.Errorf("tick %d: five sessions sent %d GraphQL queries; one session's count is %d", tick, n, one)
		} else {
			t.Logf("tick %d: %d GraphQL queries for five sessions", tick, n)
		}
	}
}
