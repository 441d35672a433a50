package ui

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
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

func startBenchProgram(b *testing.B, env *sandboxtest.Env, watch *frameWatch) *tea.Program {
	app := New(context.Background(), Options{Client: env.Client, Demo: true, Dark: true, Now: func() time.Time { return sandboxtest.Now }})
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
		p := startBenchProgram(b, env, watch)
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
	p := startBenchProgram(b, env, watch)
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
