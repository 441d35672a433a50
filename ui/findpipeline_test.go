package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// lastLargePipeline is the name of the last pipeline of the large
// organisation's list: the seeded data is the same in every sandbox of a
// size, so a sandbox of its own, without windows, names it, once a run.
func lastLargePipeline(tb testing.TB) string {
	tb.Helper()
	name, err := lastLarge()
	if err != nil {
		tb.Fatal(err)
	}
	return name
}

// lastLarge reads the list's last page, which the first page's Link
// header names, rather than every page: two requests, not a hundred.
var lastLarge = sync.OnceValues(func() (string, error) {
	sb := sandbox.New(sandbox.Options{Size: sandbox.SizeLarge, Quiet: true, Now: func() time.Time { return sandboxtest.Now }})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	client, err := api.New(api.Config{Endpoint: srv.URL, Org: sb.Org(), Token: sb.Token()})
	if err != nil {
		return "", err
	}
	first, _, err := client.PipelinesPageN(context.Background(), 1)
	if err != nil {
		return "", err
	}
	last, more, err := client.PipelinesPageN(context.Background(), first.Last)
	if n := (first.Last-1)*api.PerPage + len(last.Items); err != nil || more || n < 10000 {
		return "", fmt.Errorf("listing the large organisation: %d pipelines up to page %d (more: %t), %v", n, first.Last, more, err)
	}
	return last.Items[len(last.Items)-1].Name, nil
})

// findPipeline opens :pipelines and filters for name until its row is
// under the cursor, typing pausing for the filter's debounce; it reports
// the requests that took, how long on the test's clock (the budget's
// waits are on it), and how long in wall time.
func findPipeline(d *driver, name string) (requests int, took, wall time.Duration) {
	from := len(d.env.Sandbox.Requests())
	start, simStart := time.Now(), d.clock.Now()
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.keys("/")
	d.typeText(name)
	d.advance(screen.FilterDebounce)
	d.waitShown("› " + name)
	return len(d.env.Sandbox.Requests()) - from, d.clock.Now().Sub(simStart), time.Since(start)
}

// Finding a named pipeline in the large organisation, under both windows
// and at 30 ms latency: at most 3 requests from :pipelines to its row, in
// under a second. A second start finds it from the on-disk index without
// a request for the list, once the index is complete (which the timer's
// background steps make it, within the background share).
func TestFindANamedPipelineInALargeOrganisation(t *testing.T) {
	t.Parallel()
	name := lastLargePipeline(t)
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, incidentOptions(clock), nil)
	d := startConsole(t, env, clock, 120, 30)
	client := d.app.c.Client
	d.waitFor("payments-01")
	n, took, wall := findPipeline(d, name)
	t.Logf("found %q with %d requests in %s (%s of wall time)", name, n, took, wall.Round(time.Millisecond))
	if n > 3 {
		t.Errorf("%d requests from :pipelines to the row, want at most 3", n)
	}
	if took > time.Second {
		t.Errorf("%s from :pipelines to the row, want under 1s", took)
	}

	// The timer's steps complete the index in the background lane: each
	// within the share, so some wait for the window to reset.
	f := d.app.c.Org.Filler
	step := func() bool {
		f.Step(context.Background(), clock.Now())
		f.Wait()
		return !f.Index.CompletedAt().IsZero()
	}
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
	// The step's save has reached the disk (Wait).
	dir := filepath.Dir(f.Index.Path())
	if pipelineindex.Open(dir, client.Endpoint(), client.Org()).CompletedAt().IsZero() {
		t.Fatal("the complete index never reached the disk")
	}

	// A second start knows every pipeline.
	second := startModel(t, env, clock, Options{Client: env.ClientWith(t, api.Config{Clock: clock}), Now: clock.Now,
		Demo: true, Dark: true, IndexDir: dir}, 120, 30)
	second.waitFor("payments-01")
	// The index is read off the event loop: a key pressed before it is
	// taken in finds no pipelines yet and asks for the first page (under
	// -race on a busy machine, ':' could come first).
	second.waitUntil("the index taken in", true, func(string) bool { return second.app.c.Org.Filler != nil })
	from := len(env.Sandbox.Requests())
	findPipeline(second, name)
	second.advance(time.Second) // a debounced search would be on its way by now
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
		d := startConsole(b, env, clock, 120, 30)
		d.waitFor("payments-01")
		n, _, t := findPipeline(d, name)
		took += t
		requests += n
	}
	b.ReportMetric(float64(took.Microseconds())/float64(b.N)/1000, "ms/found")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/found")
}

// The palette finds a pipeline that is not loaded by asking the API for
// its name once typing pauses; the start of a command's name asks nothing.
func TestPaletteFindsAPipelineByName(t *testing.T) {
	t.Parallel()
	name := lastLargePipeline(t)
	d := startDriver(t, driverOptions{width: 120, height: 30, size: sandbox.SizeLarge})
	d.waitFor("payments-01")
	from := len(d.env.Sandbox.Requests())
	d.keys(":")
	d.typeText("pipel")
	d.advance(component.MaxTypingPause) // typing pauses
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
	d.advance(component.MaxTypingPause)
	d.waitFor("pipeline  " + name)
	d.keys("enter")
	frame := d.waitFor("Default branch")
	if crumbs := strings.Split(frame, "\n")[1]; !strings.Contains(crumbs, name) {
		t.Fatalf("the palette did not open %s:\n%s", name, frame)
	}
}
