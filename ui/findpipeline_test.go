package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// lastLargePipeline is the name of the last pipeline of the large
// organisation's list: the seeded data is the same in every sandbox of a
// size, so a sandbox of its own, without windows, names it.
func lastLargePipeline(tb testing.TB) string {
	tb.Helper()
	env := sandboxtest.Start(tb, sandbox.Options{Size: sandbox.SizeLarge}, nil)
	ps, err := env.Client.ListPipelines(context.Background(), nil)
	if err != nil || len(ps) < 10000 {
		tb.Fatalf("listing the large organisation: %d pipelines, %v", len(ps), err)
	}
	return ps[len(ps)-1].Name
}

// findPipeline opens :pipelines and filters for name until its row is
// under the cursor; it reports the requests that took and how long.
func findPipeline(d *driver, name string) (requests int, took time.Duration) {
	from := len(d.env.Sandbox.Requests())
	start := time.Now()
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.keys("/")
	d.typeText(name)
	d.waitShown("› " + name)
	return len(d.env.Sandbox.Requests()) - from, time.Since(start)
}

// Finding a named pipeline in the large organisation, under both windows
// and at 30 ms latency: at most 3 requests from :pipelines to its row, in
// under a second. A second start finds it from the on-disk index without
// a request for the list, once the index is complete (which the timer's
// background steps make it, within the background share).
func TestFindANamedPipelineInALargeOrganisation(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	name := lastLargePipeline(t)
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, incidentOptions(clock), nil)
	client := env.ClientWith(t, api.Config{Now: clock.Now})
	d := startConsole(t, env, client, clock.Now, 120, 30)
	d.waitFor("payments-01")
	n, took := findPipeline(d, name)
	t.Logf("found %q with %d requests in %s", name, n, took.Round(time.Millisecond))
	if n > 3 {
		t.Errorf("%d requests from :pipelines to the row, want at most 3", n)
	}
	if took > time.Second && !raceDetector {
		t.Errorf("%s from :pipelines to the row, want under 1s", took)
	}

	// The timer's steps complete the index in the background lane: each
	// within the share, so some wait for the window to reset.
	filler := make(chan func() bool, 1)
	d.p.Send(probe{fn: func(a *App) {
		f := a.c.Org.Filler
		filler <- func() bool {
			f.Step(context.Background(), clock.Now())
			for f.Running() {
				time.Sleep(time.Millisecond)
			}
			return !f.Index.CompletedAt().IsZero()
		}
	}})
	step := <-filler
	windows := 0
	for !step() {
		clock.Add(61 * time.Second)
		windows++
		if windows > 40 {
			t.Fatal("the index was not complete after 40 windows")
		}
	}
	if r := refusals(env); r > 0 {
		t.Fatalf("%d requests refused while completing the index", r)
	}
	t.Logf("the index was complete after %d windows", windows)
	// The index is saved off the event loop: wait for the file.
	path := make(chan string, 1)
	d.p.Send(probe{fn: func(a *App) { path <- a.c.Org.Filler.Index.Path() }})
	dir := filepath.Dir(<-path)
	for deadline := time.Now().Add(10 * time.Second); pipelineindex.Open(dir, client.Endpoint(), client.Org()).CompletedAt().IsZero(); {
		if time.Now().After(deadline) {
			t.Fatal("the complete index never reached the disk")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// A second start knows every pipeline.
	second := startConsole(t, env, env.ClientWith(t, api.Config{Now: clock.Now}), clock.Now, 120, 30)
	second.waitFor("payments-01")
	from := len(env.Sandbox.Requests())
	findPipeline(second, name)
	time.Sleep(600 * time.Millisecond) // a debounced search would be on its way by now
	second.settle()
	if n := pipelineLists(env, from); n != 0 {
		for _, r := range env.Sandbox.Requests()[from:] {
			t.Log(r.Method, r.Path)
		}
		t.Fatalf("the second start made %d requests for the pipelines list", n)
	}
}

// BenchmarkFindANamedPipeline measures, on a cold start at 30 ms latency
// under both windows, the time and requests from :pipelines to a named
// pipeline's row.
func BenchmarkFindANamedPipeline(b *testing.B) {
	name := lastLargePipeline(b)
	var took time.Duration
	var requests int
	for i := 0; i < b.N; i++ {
		b.Setenv("XDG_CACHE_HOME", b.TempDir()) // each a cold start
		clock := sandboxtest.NewClock()
		env := sandboxtest.Start(b, incidentOptions(clock), nil)
		d := startConsole(b, env, env.ClientWith(b, api.Config{Now: clock.Now}), clock.Now, 120, 30)
		d.waitFor("payments-01")
		n, t := findPipeline(d, name)
		took += t
		requests += n
	}
	b.ReportMetric(float64(took.Microseconds())/float64(b.N)/1000, "ms/found")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/found")
}

// The palette finds a pipeline that is not loaded by asking the API for
// its name once typing pauses; the start of a command's name asks nothing.
func TestPaletteFindsAPipelineByName(t *testing.T) {
	name := lastLargePipeline(t)
	d := startDriver(t, driverOptions{width: 120, height: 30, size: sandbox.SizeLarge})
	d.waitFor("payments-01")
	from := len(d.env.Sandbox.Requests())
	d.keys(":")
	d.typeText("pipel")
	d.settle()
	time.Sleep(300 * time.Millisecond) // past the debounce
	d.settle()
	for _, r := range d.env.Sandbox.Requests()[from:] {
		if strings.Contains(r.Path, "name=") {
			t.Fatalf("the start of a command asked the API: %s", r.Path)
		}
	}
	for range "pipel" {
		d.keys("backspace")
	}
	d.typeText(name)
	d.waitFor("pipeline  " + name)
	d.keys("enter")
	frame := d.waitFor("Default branch")
	if crumbs := strings.Split(frame, "\n")[1]; !strings.Contains(crumbs, name) {
		t.Fatalf("the palette did not open %s:\n%s", name, frame)
	}
}
