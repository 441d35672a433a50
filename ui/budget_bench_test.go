package ui

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// The request budget: what the console spends of the organisation's 200
// requests a minute. Idle figures are measured over twenty refreshes at a
// 100 ms interval and given per minute at the default 30 s interval (two
// refreshes a minute): the count per refresh does not depend on the pace.

const benchRefresh = 100 * time.Millisecond

func requestsSince(env *sandboxtest.Env, from int) (n, limited int) {
	log := env.Sandbox.Requests()
	for _, r := range log[min(from, len(log)):] {
		n++
		if r.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	return n, limited
}

// quiet waits until the sandbox has seen no request for a while: the
// screen's loads are done.
func quiet(env *sandboxtest.Env) {
	last, still := -1, 0
	for still < 20 {
		time.Sleep(10 * time.Millisecond)
		if n := len(env.Sandbox.Requests()); n == last {
			still++
		} else {
			last, still = n, 0
		}
	}
}

// BenchmarkColdStartRequests counts the requests of a cold start on the
// clusters screen with the demo organisation, counts included.
func BenchmarkColdStartRequests(b *testing.B) {
	var total int
	for i := 0; i < b.N; i++ {
		env := sandboxtest.Start(b, sandbox.Options{}, nil)
		watch := newFrameWatch()
		watch.expect("Experiments: anything goes")
		startBenchProgram(b, env.Client, watch, 0)
		watch.wait(b, "clusters")
		quiet(env)
		n, _ := requestsSince(env, 0)
		total += n
	}
	b.ReportMetric(float64(total)/float64(b.N), "requests/cold-start")
}

// BenchmarkIdleRequestsPerMinute counts what the console spends idle on
// the clusters screen and on a cluster's queues.
func BenchmarkIdleRequestsPerMinute(b *testing.B) {
	for _, screen := range []string{"clusters", "queues"} {
		b.Run(screen, func(b *testing.B) {
			var perMinute float64
			for i := 0; i < b.N; i++ {
				env := sandboxtest.Start(b, sandbox.Options{}, nil)
				watch := newFrameWatch()
				watch.expect("Experiments: anything goes")
				p := startBenchProgram(b, env.Client, watch, benchRefresh)
				watch.wait(b, "clusters")
				if screen == "queues" {
					for _, k := range []string{"/", "m", "o", "b", "enter", "enter"} {
						p.Send(keyPress(k))
					}
					watch.expect("macos-large")
					watch.wait(b, "Mobile")
				}
				time.Sleep(benchRefresh / 2)
				from := len(env.Sandbox.Requests())
				time.Sleep(20 * benchRefresh) // five of the home screen's recounts (every 4th refresh)
				n, _ := requestsSince(env, from)
				perMinute += float64(n) / 20 * 2 // per refresh, two refreshes a minute
			}
			b.ReportMetric(perMinute/float64(b.N), "requests/min")
		})
	}
}

// BenchmarkPauseAtTheReserve drains the organisation's window to the
// reserve with another client, then measures the time from the key that
// sends a pause to the pause reaching the sandbox, counting 429s.
func BenchmarkPauseAtTheReserve(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{RateLimit: sandbox.DefaultRateLimit}, nil)
	client := env.ClientWith(b, api.Config{})
	watch := newFrameWatch()
	watch.expect("Experiments: anything goes")
	p := startBenchProgram(b, client, watch, benchRefresh)
	watch.wait(b, "clusters")
	for _, k := range []string{"/", "m", "o", "b", "enter", "enter"} {
		p.Send(keyPress(k))
	}
	watch.expect("macos-large")
	watch.wait(b, "Mobile")
	quiet(env)
	other := env.ClientWith(b, api.Config{})
	var total time.Duration
	limited := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env.Sandbox.SetRateLimit(sandbox.DefaultRateLimit) // a fresh window, then drained
		for {
			if _, err := other.ListClusters(context.Background(), nil); err != nil {
				b.Fatal(err)
			}
			if other.Budget().Remaining <= api.DefaultReserve {
				break
			}
		}
		time.Sleep(2 * benchRefresh) // the console's background refreshes see the drained budget
		p.Send(keyPress("p"))
		for _, r := range "bench" {
			p.Send(keyPress(string(r)))
		}
		from := len(env.Sandbox.Requests())
		b.StartTimer()
		start := time.Now()
		p.Send(keyPress("enter"))
		var reached time.Time
		for reached.IsZero() {
			for _, r := range env.Sandbox.Requests()[from:] {
				if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/pause_dispatch") {
					reached = r.At
					if r.Status == http.StatusTooManyRequests {
						limited++
					}
				}
			}
			if time.Since(start) > 10*time.Second {
				b.Fatal("the pause never reached the sandbox")
			}
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
		b.StopTimer()
		_, l := requestsSince(env, from)
		limited += l
		watch.expect("default paused")
		watch.wait(b, "paused")
		env.Sandbox.SetRateLimit(sandbox.RateLimit{}) // resume without spending the next round's window
		watch.expect("default resumed")
		p.Send(keyPress("p"))
		watch.wait(b, "resume")
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/pause-reached")
	b.ReportMetric(float64(limited)/float64(b.N), "429s/pause")
}

// BenchmarkLargeCounts measures the counts on the large organisation
// (25 clusters, 1,000 queues) with 30 ms added to every request and all
// four windows on (REST 200/min for the organisation and 50/min for the
// user; GraphQL 20,000 and 5,000 points per five minutes), the windows on
// a clock the benchmark moves: the time from the start to every home
// count shown and the REST requests it took (the clock stands still, so
// all of them fall in the first minute); then, on each of home, a
// cluster and a queue, six timer refreshes 30 s apart (three minutes
// idle), and on :paused forty (twenty minutes): REST requests and GraphQL
// points a minute. "rest-only"
// is the same with a token GraphQL refuses.
func BenchmarkLargeCounts(b *testing.B) {
	for _, mode := range []string{"graphql", "rest-only"} {
		b.Run(mode, func(b *testing.B) {
			var startMS, startREST float64
			idle := map[string][2]float64{}
			for i := 0; i < b.N; i++ {
				clock := sandboxtest.NewClock()
				opts := incidentOptions(clock)
				opts.NoGraphQLAccess = mode == "rest-only"
				env := sandboxtest.Start(b, opts, nil)
				began := time.Now()
				d := startConsole(b, env, clock, 160, 48)
				// From REST, a long read (the organisation's agents for
				// AGENTS) may wait for the user's window on the clock: the
				// REST-only run waits for what is shown and for the wire,
				// not for every read to end.
				waitFor, settle := d.waitFor, d.settle
				if mode == "graphql" {
					countsShown(d, "DEFAULT QUEUE", "AGENTS")
				} else {
					// From REST, the counts wait for the user's window: the
					// clusters on screen are counted over several minutes.
					waitFor, settle = d.waitShown, d.quiet
					waitFor("DEFAULT QUEUE", "AGENTS")
				}
				startMS += float64(time.Since(began).Milliseconds())
				startREST += float64(restRequests(env, 0))
				for _, screen := range []string{"home", "cluster", "queue", "paused"} {
					switch screen {
					case "cluster":
						d.keys("enter")
						waitFor("Queues (", "WAITING")
					case "queue":
						d.keys("enter")
						waitFor("Agents (", "Waiting jobs (")
					case "paused":
						d.keys("esc", "esc")
						waitFor("DEFAULT QUEUE")
						d.keys(":")
						d.typeText("paused")
						d.keys("enter")
						// From REST its load (every cluster's queues and
						// every agent) waits for the user's window: the
						// clock moves on until it is in.
						d.runUntil("showed :paused", time.Second, func(f string) bool {
							return strings.Contains(f, "Paused queues and agents") && !strings.Contains(f, "loading paused")
						})
					}
					settle()
					from, points := len(env.Sandbox.Requests()), env.Sandbox.GraphQLPointsSpent()
					ticks := int64(6) // three minutes at 30 s
					if screen == "paused" {
						// It reloads as often as its cost allows (every
						// 6–12 minutes on large): twenty minutes take in
						// its reloads.
						ticks = 40
					}
					for tick := int64(1); tick <= ticks; tick++ {
						clock.Add(30 * time.Second)
						d.p.Send(common.RefreshMsg{Auto: true, Lane: org.Background, Tick: tick})
						settle()
					}
					minutes := float64(ticks) / 2
					v := idle[screen]
					v[0] += float64(restRequests(env, from)) / minutes
					v[1] += float64(env.Sandbox.GraphQLPointsSpent()-points) / minutes
					idle[screen] = v
				}
			}
			n := float64(b.N)
			b.ReportMetric(startMS/n, "ms/start-to-home-counts")
			b.ReportMetric(startREST/n, "rest-requests/start")
			for _, screen := range []string{"home", "cluster", "queue", "paused"} {
				b.ReportMetric(idle[screen][0]/n, "rest/min-idle-"+screen)
				b.ReportMetric(idle[screen][1]/n, "points/min-idle-"+screen)
			}
		})
	}
}

// restRequests counts the REST requests from the log's from-th on.
func restRequests(env *sandboxtest.Env, from int) int {
	n := 0
	log := env.Sandbox.Requests()
	for _, r := range log[min(from, len(log)):] {
		if r.Path != sandbox.GraphQLPath {
			n++
		}
	}
	return n
}
