package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// refreshesCounted is how many timer refreshes the idle count takes: two
// of the cluster screen's agent lists (every agentsEvery = 4th refresh).
const refreshesCounted = 8

// TestIdleRequestsOnTheQueueAndClusterScreens counts the requests the
// timer's refreshes send while a person only watches: on a queue screen
// and on a cluster's queues (with its AGENTS and WAITING columns), in the
// demo and large organisations on the live simulation. The refreshes are
// sent by hand, numbered as the wall clock's grid numbers them, with the
// clock (the simulation's and the budget's window) moved 30 s before
// each, the default interval: so the count does not depend on time, and
// the background lane's share applies as it would. Background refreshes may spend a quarter of the organisation's
// 200 requests a minute: 50.
func TestIdleRequestsOnTheQueueAndClusterScreens(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the large organisation's simulation takes a while to start")
	}
	for _, size := range []sandbox.Size{sandbox.SizeDemo, sandbox.SizeLarge} {
		for _, screen := range []string{"cluster", "queue"} {
			t.Run(fmt.Sprintf("%s/%s", size, screen), func(t *testing.T) {
				t.Parallel()
				clock := sandboxtest.NewClock()
				d := startDriver(t, driverOptions{clock: clock, size: size, width: 160, height: 48})
				d.waitFor("Clusters", "PAUSED")
				d.keys("enter")
				d.waitFor("Queues (", "WAITING")
				if screen == "queue" {
					d.keys("enter")
					d.waitFor("Agents (", "Waiting jobs (")
				}
				from := len(d.env.Sandbox.Requests())
				var perTick []int
				for tick := 1; tick <= refreshesCounted; tick++ {
					before := len(d.env.Sandbox.Requests())
					clock.Add(30 * time.Second)
					d.p.Send(common.RefreshMsg{Auto: true, Lane: org.Background, Tick: int64(tick)})
					d.waitUntil("finished the refresh", true, func(string) bool { return true })
					perTick = append(perTick, len(d.env.Sandbox.Requests())-before)
				}
				t.Logf("requests per refresh: %v", perTick)
				reqs := d.env.Sandbox.Requests()[from:]
				n := len(reqs)
				kinds := map[string]int{}
				for _, r := range reqs {
					path, _, _ := strings.Cut(r.Path, "?")
					switch {
					case strings.HasSuffix(path, "/agents"):
						kinds["agents"]++
					case strings.HasSuffix(path, "/builds"):
						kinds["builds"]++
					case strings.HasSuffix(path, "/queues"):
						kinds["queue lists"]++
					default:
						kinds["other"]++
					}
				}
				perMinute := float64(n) / refreshesCounted * 2
				t.Logf("%s organisation, %s screen: %d requests in %d refreshes (%v) = %.1f requests/min at 30 s",
					size, screen, n, refreshesCounted, kinds, perMinute)
				// Any minute (two refreshes in a row), not only the mean.
				for i := 1; i < len(perTick); i++ {
					if m := perTick[i-1] + perTick[i]; m > 50 {
						t.Errorf("refreshes %d and %d sent %d requests in a minute: over the background share (50)", i, i+1, m)
					}
				}
				if perMinute > 50 {
					t.Errorf("%.1f requests a minute idle: over the background share (50)", perMinute)
				}
				if n < refreshesCounted {
					t.Errorf("%d requests in %d refreshes: the screen does not refresh", n, refreshesCounted)
				}
			})
		}
	}
}
