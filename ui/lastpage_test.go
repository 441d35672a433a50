package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// cursorRow is the row under the cursor in a frame (the line that starts
// with "› ") and its line in the frame.
func cursorRow(frame string) (string, int) {
	for i, line := range strings.Split(frame, "\n") {
		if rest, ok := strings.CutPrefix(line, "› "); ok {
			return strings.TrimSpace(rest), i
		}
	}
	return "", -1
}

// G on :pipelines reaches the true end of a long list with one request
// (the last page, named by the Link header's rel="last"), not by reading
// every page between; a gap row says how many are not loaded; the title
// says the list's true size; going up from the end loads the page before
// the tail with the cursor kept on its pipeline; g goes back to the top
// and G again to the end, without a request (issue 28 item 6, issue 29
// item 14).
func TestGReachesTheTrueEndOfALongList(t *testing.T) {
	t.Parallel()
	// Eleven pages, the last of 30 (more than the screen's rows): G
	// needs the last page alone.
	const pipelines = 1030
	clock := sandboxtest.NewClock()
	// The page numbered holding is held until the test lets it go.
	var holding, held atomic.Int32
	release := make(chan struct{})
	hold := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if page := r.URL.Query().Get("page"); page != "" && page == strconv.Itoa(int(holding.Load())) {
				held.Add(1)
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pipelines,
		Latency: 30 * time.Millisecond, Clock: sandboxtest.RealTimers(clock)}, hold)
	all, err := env.Client.ListPipelines(context.Background(), nil)
	if err != nil || len(all) != pipelines {
		t.Fatalf("the whole list: %d pipelines, %v", len(all), err)
	}
	first, last := all[0].Name, all[len(all)-1].Name
	// loaded is the title with the rows of pages the list shows (not
	// the archived ones).
	loaded := func(ps ...[]model.Pipeline) string {
		n := 0
		for _, page := range ps {
			for _, p := range page {
				if !p.Archived() {
					n++
				}
			}
		}
		return fmt.Sprintf("Pipelines  1,030 · %d loaded", n)
	}
	d := startConsole(t, env, clock, 120, 30)
	d.waitFor("payments-01")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("of about 1,100 · more as you scroll", "› "+first)

	from := len(env.Sandbox.Requests())
	holding.Store(10)
	d.keys("G")
	frame := d.waitShown("› "+last, loaded(all[:100], all[1000:]))
	if n := pipelineLists(env, from); n != 1 {
		t.Fatalf("G made %d requests for the list, want 1 (the last page)", n)
	}
	for _, r := range env.Sandbox.Requests()[from:] {
		if strings.Contains(r.Path, "/pipelines") && !strings.Contains(r.Path, "page=11") {
			t.Fatalf("G asked for %s, want the last page (11)", r.Path)
		}
	}

	// up presses k until cond holds of the frame.
	up := func(what string, cond func() bool) {
		t.Helper()
		for presses := 0; !cond(); presses++ {
			if presses > 200 {
				t.Fatalf("200 presses of k up from the end: never %s:\n%s", what, frame)
			}
			d.keys("k")
			d.catchUp()
			frame, _ = d.frame()
		}
	}
	// Up from the end: near the gap, the page before the tail comes, and
	// the cursor stays on its pipeline, on the same line.
	up("asked for page 10", func() bool { return held.Load() == 1 })
	at, line := cursorRow(frame)
	release <- struct{}{}
	frame = d.waitFor(loaded(all[:100], all[900:]))
	if now, nowLine := cursorRow(frame); now != at || nowLine != line {
		t.Fatalf("the cursor moved from %q (line %d) to %q (line %d) as the page before came", at, line, now, nowLine)
	}
	if n := pipelineLists(env, from); n != 2 {
		t.Fatalf("%d requests for the list from G to the page before the tail, want 2", n)
	}

	// On up to the gap row, which says what it stands for; when its page
	// comes, the cursor is on the last of it, on the gap row's line.
	holding.Store(9)
	up("showed the gap row under the cursor", func() bool {
		row, _ := cursorRow(frame)
		return strings.HasPrefix(row, "⋯ 800 pipelines not loaded yet")
	})
	_, line = cursorRow(frame)
	eventuallyTrue(t, "page 9 was asked for", func() bool { d.frame(); return held.Load() == 2 })
	release <- struct{}{}
	frame = d.waitFor(loaded(all[:100], all[800:]))
	if now, nowLine := cursorRow(frame); !strings.HasPrefix(now, all[899].Name+" ") || nowLine != line {
		t.Fatalf("the cursor went to %q (line %d) as the gap's page came, want %q (line %d)", now, nowLine, all[899].Name, line)
	}

	// g goes to the top, G to the end again: no request.
	from = len(env.Sandbox.Requests())
	d.keys("g")
	d.waitFor("› " + first)
	d.keys("G")
	d.waitFor("› " + last)
	if n := pipelineLists(env, from); n != 0 {
		t.Fatalf("g and G with the ends in made %d requests", n)
	}
}

// gToTheEnd opens :pipelines and presses G once the first page shows;
// it reports the requests for the list from G until the last pipeline
// is under the cursor and nothing is in flight, the time that took on
// the test's clock (the budget's waits are on it), and in wall time.
func gToTheEnd(d *driver, last string) (requests int, took, wall time.Duration) {
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("more as you scroll")
	from := len(d.env.Sandbox.Requests())
	start, simStart := time.Now(), d.clock.Now()
	d.keys("G")
	d.waitShown("› " + last)
	wall, took = time.Since(start), d.clock.Now().Sub(simStart)
	d.waitFor("› " + last)
	return pipelineLists(d.env, from), took, wall
}

// On the large organisation (10,000 pipelines, 100 pages) under both
// windows at 30 ms: G puts the last pipeline under the cursor with at
// most 2 requests after the first page, in under a second.
func TestGReachesTheEndOfALargeOrganisation(t *testing.T) {
	t.Parallel()
	last := lastLargePipeline(t)
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, incidentOptions(clock), nil)
	d := startConsole(t, env, clock, 120, 30)
	d.waitFor("payments-01")
	n, took, wall := gToTheEnd(d, last)
	t.Logf("G to the true end: %d requests, %s of wall time (%s on the test's clock)", n, wall.Round(time.Millisecond), took)
	if n > 2 {
		t.Errorf("G made %d requests for the list, want at most 2", n)
	}
	if took > time.Second {
		t.Errorf("G took %s on the test's clock, want under 1s", took)
	}
	d.waitFor("Pipelines  10,000 · ")
}

// BenchmarkGToTheTrueEnd reports G's requests and wall time to the last
// of the large organisation's pipelines (30 ms, both windows).
func BenchmarkGToTheTrueEnd(b *testing.B) {
	last := lastLargePipeline(b)
	var wall time.Duration
	var requests int
	for i := 0; i < b.N; i++ {
		b.Setenv("XDG_CACHE_HOME", b.TempDir()) // each a cold start
		clock := sandboxtest.NewClock()
		env := sandboxtest.Start(b, incidentOptions(clock), nil)
		d := startConsole(b, env, clock, 120, 30)
		d.waitFor("payments-01")
		n, _, w := gToTheEnd(d, last)
		wall += w
		requests += n
	}
	b.ReportMetric(float64(wall.Microseconds())/float64(b.N)/1000, "ms/end")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/end")
}
