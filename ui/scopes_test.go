package ui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// struck is what the help of the screen on top strikes through, of its
// keys that change something: key → struck.
func struck(d *driver) map[string]bool {
	d.t.Helper()
	d.settle()
	ch := make(chan map[string]bool, 1)
	d.p.Send(probe{fn: func(a *App) {
		out := map[string]bool{}
		for _, b := range a.top().Help() {
			if a.c.Keys.Mutating(b) {
				out[b.Keys()[0]] = a.c.KeyOffIn(a.top(), b)
			}
		}
		ch <- out
	}})
	return <-ch
}

func wantStruck(t *testing.T, where string, got map[string]bool, want map[string]bool) {
	t.Helper()
	for k, off := range want {
		on, shown := got[k]
		if !shown {
			t.Errorf("%s: %s is not in the help (%v)", where, k, got)
		} else if on != off {
			t.Errorf("%s: %s struck through is %v, want %v", where, k, on, off)
		}
	}
}

// A token with write_builds and write_agents but neither write_clusters
// nor write_pipelines (issue 27): each action is struck through by its
// own scope, not "no write scopes" for all; what the token allows is
// sent and made, and a struck-through change still sent gets Buildkite's
// 403 naming the scope.
func TestAMixedScopeTokenStrikesThroughEachActionByItsScope(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{clock: sandboxtest.NewClock(), width: 160, height: 48,
		scopes: []string{api.ScopeWriteBuilds, api.ScopeWriteAgents, api.ScopeReadClusters, api.ScopeReadPipelines,
			api.ScopeReadAgents, api.ScopeReadBuilds, api.ScopeReadBuildLogs, "read_teams"}})
	d.waitShown("this API token lacks write_clusters, write_pipelines: the changes that need it are struck through")
	d.waitFor("Production", "PAUSED")
	wantStruck(t, "clusters", struck(d), map[string]bool{"n": true, "e": true, "d": true})

	// A queue: its agents may be paused and stopped, the queue not.
	frame := openQueue(d, "Production", "default")
	// p is the queue's on every tab (struck through); z pauses an agent.
	wantStruck(t, "the queue's agents", struck(d), map[string]bool{"p": true, "z": false, "S": false, "K": false})
	name := selectedAgent(t, frame)
	d.keys("z")
	d.waitFor("Pause "+name, "Timeout")
	d.typeText("disk full")
	d.formKeys("enter", "enter")
	d.waitFor(name + " paused")
	d.keys("tab")
	d.waitFor("PIPELINE", "WAITING SINCE")
	wantStruck(t, "the queue's waiting jobs", struck(d), map[string]bool{"p": true})
	d.keys("tab")
	wantStruck(t, "the queue's settings", struck(d), map[string]bool{"p": true, "e": true, "d": true})
	d.keys("esc")
	d.waitFor("Queues (")
	wantStruck(t, "the cluster's queues", struck(d), map[string]bool{"p": true, "n": true, "e": true, "d": true})
	for range 3 { // the filter, then the cluster
		if f, _ := d.frame(); strings.Contains(f, "DEFAULT QUEUE") {
			break
		}
		d.keys("esc")
		d.settle()
	}

	// A pipeline: its settings may not change, its builds may start.
	openPipeline(d, "checkout", "Checkout")
	wantStruck(t, "the pipeline", struck(d), map[string]bool{"e": true, "a": true, "W": true, "d": true})
	d.keys("a")
	d.waitFor("Archive pipeline Checkout?")
	d.keys("y")
	d.waitFor("archiving Checkout failed: Your access token doesn't have the write_pipelines scope")
	d.keys("tab")
	d.waitFor("Builds (")
	wantStruck(t, "the pipeline's builds", struck(d), map[string]bool{"n": false, "F": false, "C": false, "R": false})
	d.keys("n")
	d.waitFor("New build of checkout")
	d.formKeys("enter", "enter", "enter", "enter")
	d.waitFor("started checkout #")

	var sent []string
	for _, w := range d.env.Writes() {
		sent = append(sent, w.Method+" "+w.Path[strings.LastIndex(w.Path, "/")+1:]+" "+strconv.Itoa(w.Status))
	}
	want := []string{"PUT pause 204", "POST archive 403", "POST builds 201"}
	if strings.Join(sent, ", ") != strings.Join(want, ", ") {
		t.Errorf("sent %q, want %q", sent, want)
	}
}
