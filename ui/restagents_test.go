package ui

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// With a token GraphQL refuses, AGENTS comes from the organisation's
// agents list: on large, about 30 pages, more than the background share
// of the user's window (a quarter of 50). Read in the background lane
// it was put off before its last page in every window and started
// again, so AGENTS never showed. Its first page is now a background
// read and the rest a bulk read, which waits for the window above the
// reserve instead of being put off, and it is read again only as often
// as its cost allows: AGENTS shows within a few minutes and idle home
// stays within the user's window. A cluster opened then counts from the
// list the home screen read, not thirty pages of its own.
func TestRESTOnlyHomeShowsAgentsOnALargeOrganisation(t *testing.T) {
	t.Parallel()
	clock := sandboxtest.NewClock()
	opts := incidentOptions(clock)
	opts.NoGraphQLAccess = true
	opts.Latency = 0 // what is measured is the clock's minutes, not the wire's
	env := sandboxtest.Start(t, opts, nil)
	// The console's own 30 s refresh timer, on the test clock.
	wire := newInFlight()
	client := env.ClientWith(t, api.Config{Clock: clock, HTTPClient: &http.Client{Transport: wire}})
	d := startModel(t, env, clock, Options{Client: client, Now: clock.Now, Demo: true, Dark: true, Refresh: 30 * time.Second}, 160, 48)
	d.http = wire
	// (Not idle: the agents list may wait for the window, on the clock.)
	d.waitShown("DEFAULT QUEUE", "AGENTS")
	busyOfConnected := regexp.MustCompile(`\b\d+/\d+\b`)
	shown := func(f string) bool {
		rows := tableRows(f)
		return len(rows) > 10 && !strings.Contains(strings.Join(rows, "\n"), "…") && busyOfConnected.MatchString(strings.Join(rows, "\n"))
	}
	// The clock moves 5 s at a time whenever nothing is on the wire (less
	// than a request's 15 s timeout, so none in flight sees it pass): the
	// refresh timer fires, and a read waiting for the window goes on. A
	// minute at a time: runUntil's bound for a hang is real seconds.
	run := func(what string, cond func(string) bool, limit time.Duration) string {
		t.Helper()
		began := clock.Now()
		for {
			minute := clock.Now()
			f := d.runUntil(what, 5*time.Second, func(f string) bool {
				return cond(f) || clock.Now().Sub(minute) >= time.Minute
			})
			if cond(f) || clock.Now().Sub(began) >= limit {
				return f
			}
		}
	}
	began := clock.Now()
	// While the list waits for the window, the footer says so, not only
	// that it is loading.
	waitSaid := false
	f := run("showed every home count", func(f string) bool {
		waitSaid = waitSaid || strings.Contains(f, "loading agents · waiting for the API budget (you)")
		return shown(f)
	}, 10*time.Minute)
	if !waitSaid {
		t.Error("the agents list waited for the window with the footer saying only that it was loading")
	}
	if took := clock.Now().Sub(began); !shown(f) {
		t.Fatalf("after %s the home counts are not all shown:\n%s", took, f)
	}
	t.Logf("every home count shown after %s", clock.Now().Sub(began))
	// Idle ten minutes: the agents list again only as its cost allows.
	from, idleFrom := len(env.Sandbox.Requests()), clock.Now()
	run("stayed ten minutes", func(string) bool { return clock.Now().Sub(idleFrom) >= 10*time.Minute }, 10*time.Minute)
	kinds := map[string]int{}
	agentPages, refused := 0, 0
	for _, r := range env.Sandbox.Requests()[from:] {
		kind, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/v2/organizations/"+env.Sandbox.Org()), "?")
		kind = regexp.MustCompile(`/clusters/[^/]+/queues`).ReplaceAllString(kind, "/clusters/…/queues")
		kinds[kind]++
		if kind == "/agents" {
			agentPages++
		}
		if r.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	t.Logf("idle ten minutes: %.1f REST requests a minute: %v", float64(restRequests(env, from))/10, kinds)
	// About 31 pages: once in six or seven minutes, so once or twice in
	// ten; never a list put off and started again.
	if agentPages < 31 || agentPages > 2*31 || refused > 0 {
		t.Fatalf("idle ten minutes: %d requests for the agents list, %d refused", agentPages, refused)
	}
	if f, _ := d.frame(); !shown(f) {
		t.Fatalf("after ten idle minutes the counts are not all shown:\n%s", f)
	}
	// A cluster opened now shows AGENTS from the list the home screen
	// read, without thirty pages of its own.
	from = len(env.Sandbox.Requests())
	d.keys("enter")
	f = run("showed the cluster's queues", func(f string) bool {
		return strings.Contains(f, "Queues (") && busyOfConnected.MatchString(strings.Join(tableRows(f), "\n"))
	}, time.Minute)
	for _, r := range env.Sandbox.Requests()[from:] {
		if strings.Contains(r.Path, "/agents") {
			t.Fatalf("opening a cluster listed the agents again (%s):\n%s", r.Path, f)
		}
	}
}
