package ui

import (
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// pagedWaiting is how many deploy jobs wait in TestIdleOnAWaitThatNeedsPagesStaysWithinItsShare:
// enough that proving the longest wait reads about ten pages of 25, most
// of a count's oldestPoints.
const pagedWaiting = 220

// A queue whose longest wait takes pages of waiting jobs to prove
// (sandboxtest.HoldDeploys: the earliest-created waiting jobs became
// runnable last) costs far more a count than its queues say: about 250
// points of pages beside the count's own. Idle on home, on its cluster
// and on the queue, each screen paces its counts by what the last one
// was charged, pages included, and stays within an idle screen's 200
// points a minute. (Paced by the count's query alone, home and the
// cluster spent about 290 a minute, the queue, counted at every refresh,
// about 540.)
func TestIdleOnAWaitThatNeedsPagesStaysWithinItsShare(t *testing.T) {
	t.Parallel()
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, Now: clock.Now, Quiet: true}, nil)
	sandboxtest.HoldDeploys(t, env.ClientWith(t, api.Config{Clock: clock}), clock, pagedWaiting)
	d := startConsole(t, env, clock, 160, 48)
	countsShown(d, "Production", "AGENTS")
	tick := int64(0)
	for _, screen := range []string{"home", "cluster", "queue"} {
		switch screen {
		case "cluster":
			d.keys("/")
			d.typeText("production")
			d.keys("enter", "enter")
			countsShown(d, "Queues (", "deploy")
		case "queue":
			d.keys("/")
			d.typeText("deploy")
			d.keys("enter", "enter")
			d.waitFor("Agents (", "Waiting jobs (")
		}
		points := env.Sandbox.GraphQLPointsSpent()
		const ticks = 12 // six minutes at 30 s
		for range ticks {
			tick++
			clock.Add(30 * time.Second)
			d.p.Send(common.RefreshMsg{Auto: true, Lane: org.Background, Tick: tick})
			d.waitUntil("finished the refresh", true, func(string) bool { return true })
		}
		minutes := float64(ticks) / 2
		spent := float64(env.Sandbox.GraphQLPointsSpent()-points) / minutes
		t.Logf("idle %.0f min on %s: %.0f points a minute", minutes, screen, spent)
		if spent > 200 {
			t.Errorf("idle on %s: %.0f GraphQL points a minute, want at most 200", screen, spent)
		}
		if spent == 0 {
			t.Errorf("idle on %s: no count in %.0f minutes", screen, minutes)
		}
	}
}
