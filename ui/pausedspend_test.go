package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Idle on :paused in the large organisation (a thousand queues) stays
// within an idle screen's share: at most 200 GraphQL points and 5 REST
// requests a minute, from GraphQL or, with a token GraphQL refuses, from
// REST alone. Every queue's dispatch state is a point a queue (or a REST
// list a cluster and the agents' pages), so the timer reloads it as often
// as that allows and the title says how old it is (it reloaded at every
// refresh: 1,133 points and 5.3 REST requests a minute; 7.3 from REST).
func TestIdleOnPausedStaysWithinItsShare(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"graphql", "rest-only"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			clock := sandboxtest.NewClock()
			env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, Clock: clock, Quiet: true,
				NoGraphQLAccess: mode == "rest-only"}, nil)
			d := startConsole(t, env, clock, 160, 48)
			d.waitFor("DEFAULT QUEUE", "AGENTS")
			d.keys(":")
			d.typeText("paused")
			d.keys("enter")
			d.waitFor("Paused queues and agents", "until resumed")
			from, points := len(env.Sandbox.Requests()), env.Sandbox.GraphQLPointsSpent()
			const ticks = 40 // twenty minutes at 30 s
			for tick := int64(1); tick <= ticks; tick++ {
				clock.Add(30 * time.Second)
				d.p.Send(common.RefreshMsg{Auto: true, Lane: org.Background, Tick: tick})
				d.waitUntil("finished the refresh", true, func(string) bool { return true })
			}
			minutes := float64(ticks) / 2
			rest := float64(restRequests(env, from)) / minutes
			spent := float64(env.Sandbox.GraphQLPointsSpent()-points) / minutes
			t.Logf("idle %.0f min on :paused: %.2f REST requests and %.0f points a minute", minutes, rest, spent)
			if rest > 5 || spent > 200 {
				t.Errorf("idle on :paused: %.2f REST requests and %.0f points a minute, want at most 5 and 200", rest, spent)
			}
			if reads := graphQLRequests(env, from) + restRequests(env, from); reads == 0 {
				t.Error(":paused did not reload in twenty minutes")
			}
			if frame, _ := d.frame(); !strings.Contains(frame, "  read ") {
				t.Errorf("the title does not say how old the list is:\n%s", frame)
			}
		})
	}
}
