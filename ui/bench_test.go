package ui

import (
	"context"
	"io"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// frameWatch sees every frame the program renders (whole frames, not the
// renderer's diffs) and reports when text first appears after a mark.
type frameWatch struct {
	mu     sync.Mutex
	want   string
	seen   chan time.Time
	active bool
}

func newFrameWatch() *frameWatch { return &frameWatch{seen: make(chan time.Time, 1)} }

func (f *frameWatch) frame(content string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active && strings.Contains(ansi.Strip(content), f.want) {
		f.active = false
		f.seen <- time.Now()
	}
}

// watched is the console with its frames shown to a frameWatch.
type watched struct {
	*App
	w *frameWatch
}

func (m watched) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.App.Update(msg)
	return m, cmd
}

func (m watched) View() tea.View {
	v := m.App.View()
	m.w.frame(v.Content)
	return v
}

// expect starts watching for text drawn from now on.
func (f *frameWatch) expect(text string) {
	f.mu.Lock()
	f.want, f.active = text, true
	f.mu.Unlock()
}

func (f *frameWatch) wait(b *testing.B, what string) time.Time {
	select {
	case t := <-f.seen:
		return t
	case <-time.After(30 * time.Second):
		b.Fatalf("never drew %q (%s)", f.want, what)
		return time.Time{}
	}
}

// startBenchProgram runs the console on client, refreshing every refresh
// (0: never), with its frames shown to watch.
func startBenchProgram(b *testing.B, client *api.Client, watch *frameWatch, refresh time.Duration) *tea.Program {
	b.Setenv("XDG_CACHE_HOME", b.TempDir()) // no pipelines index of an earlier sandbox at the same address
	app := New(context.Background(), Options{Client: client, Demo: true, Dark: true, Refresh: refresh, Now: func() time.Time { return sandboxtest.Now }})
	p := tea.NewProgram(watched{App: app, w: watch}, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignals(), tea.WithWindowSize(120, 35))
	done := make(chan struct{})
	go func() {
		_, _ = p.Run()
		close(done)
	}()
	b.Cleanup(func() {
		p.Quit()
		<-done
	})
	return p
}

// BenchmarkStartToClustersTable measures the time from starting the
// console to the clusters table on the terminal, with 30 ms added to
// every request (one round trip is needed).
func BenchmarkStartToClustersTable(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{Latency: 30 * time.Millisecond}, nil)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		watch := newFrameWatch()
		watch.expect("Experiments: anything goes")
		start := time.Now()
		p := startBenchProgram(b, env.Client, watch, 0)
		total += watch.wait(b, "clusters").Sub(start)
		p.Quit()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/table")
}

// BenchmarkPauseKeyToFrame measures, with 30 ms added to every request,
// the time from the key that confirms a pause (enter on the note) to the
// frame showing the queue paused, and to the frame with the server's
// answer; the queue is resumed between rounds.
func BenchmarkPauseKeyToFrame(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{}, nil)
	watch := newFrameWatch()
	watch.expect("Experiments: anything goes")
	p := startBenchProgram(b, env.Client, watch, 0)
	watch.wait(b, "clusters")
	for _, k := range []string{"/", "m", "o", "b", "enter", "enter"} {
		p.Send(keyPress(k))
	}
	watch.expect("macos-large")
	watch.wait(b, "Mobile")
	time.Sleep(100 * time.Millisecond) // let the screen's own reloads finish before timing
	env.Sandbox.SetLatency(30 * time.Millisecond)

	var shown, confirmed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Send(keyPress("p"))
		for _, r := range "bench" {
			p.Send(keyPress(string(r)))
		}
		watch.expect("pausing…")
		start := time.Now()
		p.Send(keyPress("enter"))
		shown += watch.wait(b, "optimistic pause").Sub(start)
		watch.expect("default paused")
		confirmed += watch.wait(b, "confirmed pause").Sub(start)

		b.StopTimer()
		watch.expect("default resumed")
		p.Send(keyPress("p"))
		watch.wait(b, "resume")
		b.StartTimer()
	}
	b.ReportMetric(float64(shown.Microseconds())/float64(b.N)/1000, "ms/shown")
	b.ReportMetric(float64(confirmed.Microseconds())/float64(b.N)/1000, "ms/confirmed")
}

// BenchmarkFirstPipelineRows measures, on the large organisation with
// 30 ms added to every request, the time from opening :pipelines to the
// first rows on screen (the list goes on loading behind them).
func BenchmarkFirstPipelineRows(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{Size: sandbox.SizeLarge, Latency: 30 * time.Millisecond}, nil)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		watch := newFrameWatch()
		watch.expect("payments-01")
		p := startBenchProgram(b, env.Client, watch, 0)
		watch.wait(b, "clusters")
		watch.expect("100 of about 10,000") // the first page, drawn
		start := time.Now()
		for _, k := range []string{":", "p", "i", "p", "e", "l", "i", "n", "e", "s", "enter"} {
			p.Send(keyPress(k))
		}
		total += watch.wait(b, "first rows").Sub(start)
		p.Quit()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/first-rows")
}

// largeList is the pipelines screen holding the large organisation's
// 10,000 pipelines, loaded as the console loads them.
func largeList(b *testing.B) (*screen.PipelinesScreen, *common.Common) {
	b.Helper()
	// The sandbox is stopped and dropped once the list is fetched, so the
	// process holds only what the console holds, as a real one would.
	sb := sandbox.New(sandbox.Options{Size: sandbox.SizeLarge})
	srv := httptest.NewServer(sb)
	client, err := api.New(api.Config{Endpoint: srv.URL, Org: sb.Org(), Token: sb.Token()})
	if err != nil {
		b.Fatal(err)
	}
	items, err := client.ListPipelines(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	srv.Close()
	sb, srv = nil, nil
	runtime.GC()
	app := New(context.Background(), Options{Client: client, Now: func() time.Time { return sandboxtest.Now }})
	c := app.c
	c.Width, c.Height = 160, 44
	c.Org.Pipelines.Apply(org.PipelinesPage{Items: items, Number: 1, Last: 1})
	c.Org.Pipelines.Apply(org.PipelinesPage{Done: true})
	s := screen.NewPipelinesScreen(c)
	s.List.ShowArchived = true
	s.List.Rebuild()
	return s, c
}

// BenchmarkFilterKeystroke10000 measures one keystroke of the fuzzy
// filter over 10,000 pipelines; it reports the 99th percentile.
func BenchmarkFilterKeystroke10000(b *testing.B) {
	s, _ := largeList(b)
	typed := "payments api 0042"
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Update(keyPress("/"))
		for _, r := range typed {
			start := time.Now()
			s.Update(keyPress(string(r)))
			times = append(times, time.Since(start))
		}
		for range typed {
			s.Update(keyPress("backspace"))
		}
		s.Update(keyPress("esc"))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	p99 := times[len(times)*99/100]
	b.ReportMetric(float64(p99.Microseconds())/1000, "ms/p99-keystroke")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/p50-keystroke")
}

// BenchmarkViewPipelines10000 measures one View() of the pipelines screen
// holding 10,000 rows.
func BenchmarkViewPipelines10000(b *testing.B) {
	s, _ := largeList(b)
	if n := len(s.List.Table.Rows); n != 10000 {
		b.Fatalf("%d rows", n)
	}
	s.View()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.List.Table.Move(1) // a different frame each time, as when scrolling
		_ = s.View()
	}
}

// BenchmarkHeapLargeOrganisation reports the heap the console keeps for
// the large organisation's 10,000 pipelines, list and rows included.
func BenchmarkHeapLargeOrganisation(b *testing.B) {
	var held []*screen.PipelinesScreen
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		env := sandboxtest.Start(b, sandbox.Options{Size: sandbox.SizeLarge}, nil)
		runtime.GC()
		var withSandbox runtime.MemStats
		runtime.ReadMemStats(&withSandbox)
		items, err := env.Client.ListPipelines(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		app := New(context.Background(), Options{Client: env.Client})
		app.c.Org.Pipelines.Apply(org.PipelinesPage{Items: items, Number: 1, Last: 1})
		app.c.Org.Pipelines.Apply(org.PipelinesPage{Done: true})
		s := screen.NewPipelinesScreen(app.c)
		s.List.Rebuild()
		items = nil
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		held = append(held, s)
		b.ReportMetric(float64(after.HeapInuse-withSandbox.HeapInuse)/(1<<20), "MB-heap-console")
	}
	runtime.KeepAlive(held)
}
