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
