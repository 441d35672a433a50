package ui

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// driver runs the real program (event loop, commands, renderer) against
// a sandbox over HTTP, and reads its frames through a probe message that
// the program's own loop answers, so no test touches the model from
// another goroutine.
type driver struct {
	t   testing.TB
	p   *tea.Program
	env *sandboxtest.Env
	out chan error
}

// probe runs fn on the model inside the program's loop.
type probe struct{ fn func(*App) }

type driverOptions struct {
	width, height int
	size          sandbox.Size
	latency       time.Duration
	timeout       time.Duration
	readOnly      bool
	// readScopesOnly runs the console (not in read-only mode) with the
	// sandbox's token that lacks write scopes: the API refuses changes.
	readScopesOnly bool
	// rateLimit turns on the sandbox's window (off otherwise).
	rateLimit sandbox.RateLimit
	// cacheFor gives the client a shared cache, as the SSH server's has.
	cacheFor time.Duration
	// refresh turns on the timer's reloads (off otherwise).
	refresh time.Duration
	wrap    func(http.Handler) http.Handler
	// holdQuit, while true, turns enter on the palette's quit into esc:
	// the monkey must go on pressing keys.
	holdQuit  *atomic.Bool
	orgs      []string
	switchOrg func(ctx context.Context, org string) (*api.Client, error)
	// clock, when set, runs the sandbox's live simulation (builds and
	// jobs) and the console on a clock the test moves by hand.
	clock *sandboxtest.Clock
}

func startDriver(t *testing.T, o driverOptions) *driver {
	t.Helper()
	if o.width == 0 {
		o.width, o.height = 80, 24
	}
	// The pipelines index of this test only: a sandbox of an earlier test
	// may have had the same address.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	sbOpts := sandbox.Options{Size: o.size, Latency: o.latency, RateLimit: o.rateLimit}
	now := func() time.Time { return sandboxtest.Now }
	if o.clock != nil {
		sbOpts.Now, sbOpts.Clock, now = o.clock.Now, sandboxtest.RealTimers(o.clock), o.clock.Now
	}
	env := sandboxtest.Start(t, sbOpts, o.wrap)
	cfg := api.Config{ReadOnly: o.readOnly, Timeout: o.timeout, CacheFor: o.cacheFor}
	if o.clock != nil {
		cfg.Now = o.clock.Now // the budget's window moves with the test's clock
	}
	if o.readScopesOnly {
		cfg.Token = env.Sandbox.ReadOnlyToken()
	}
	client := env.ClientWith(t, cfg)
	app := New(context.Background(), Options{Client: client, Now: now, Demo: true, Dark: true, Refresh: o.refresh,
		Orgs: o.orgs, SwitchOrg: o.switchOrg})
	p := tea.NewProgram(app,
		tea.WithInput(nil),
		tea.WithOutput(io.Discard),
		tea.WithoutSignals(),
		tea.WithWindowSize(o.width, o.height),
		tea.WithFilter(func(m tea.Model, msg tea.Msg) tea.Msg {
			if pr, ok := msg.(probe); ok {
				pr.fn(m.(*App))
				return nil
			}
			if k, ok := msg.(tea.KeyPressMsg); ok && o.holdQuit != nil && o.holdQuit.Load() && k.String() == "enter" {
				// The monkey must not leave through the palette's quit.
				if p, ok := m.(*App).overlay.(*component.Palette); ok && len(p.Shown) > 0 &&
					p.Items[p.Shown[p.Cursor]].Label == "quit" {
					return keyPress("esc")
				}
			}

			return msg
		}))
	d := &driver{t: t, p: p, env: env, out: make(chan error, 1)}
	go func() {
		_, err := p.Run()
		d.out <- err
	}()
	t.Cleanup(func() {
		p.Quit()
		select {
		case <-d.out:
		case <-time.After(10 * time.Second):
			t.Error("the program did not stop")
		}
	})
	p.Send(tea.WindowSizeMsg{Width: o.width, Height: o.height})
	return d
}

// frame is the current screen as plain text, and whether requests are in
// flight.
func (d *driver) frame() (string, bool) {
	type snap struct {
		text string
		busy bool
	}
	ch := make(chan snap, 1)
	d.p.Send(probe{fn: func(a *App) {
		ch <- snap{text: ansi.Strip(a.render()), busy: a.c.Tasks.Busy() || len(a.c.Pending) > 0}
	}})
	select {
	case s := <-ch:
		return strings.ReplaceAll(s.text, d.env.Server.URL, "http://sandbox"), s.busy
	case err := <-d.out:
		d.out <- err
		d.t.Fatalf("the program has ended: %v", err)
		return "", false
	case <-time.After(10 * time.Second):
		d.t.Fatal("the program did not answer a probe")
		return "", false
	}
}

// waitUntil polls the frame until cond holds (and, when idle is set, no
// request is in flight) and returns it. It gives up after twenty seconds:
// a bound for a hang, not a timing the test depends on.
func (d *driver) waitUntil(what string, idle bool, cond func(frame string) bool) string {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		frame, busy := d.frame()
		last = frame
		if (!idle || !busy) && cond(frame) {
			return frame
		}
		time.Sleep(2 * time.Millisecond)
	}
	d.t.Fatalf("the screen never %s; last frame:\n%s", what, last)
	return ""
}

func showsAll(texts []string) func(string) bool {
	return func(frame string) bool {
		for _, want := range texts {
			if !strings.Contains(frame, want) {
				return false
			}
		}
		return true
	}
}

// waitFor waits until the screen shows every one of texts and no request
// is in flight, and returns it.
func (d *driver) waitFor(texts ...string) string {
	d.t.Helper()
	return d.waitUntil(fmt.Sprintf("showed %q", texts), true, showsAll(texts))
}

// waitShown waits until the screen shows every one of texts, whether or
// not requests are in flight.
func (d *driver) waitShown(texts ...string) string {
	d.t.Helper()
	return d.waitUntil(fmt.Sprintf("showed %q", texts), false, showsAll(texts))
}

// waitGone waits until the screen no longer shows text.
func (d *driver) waitGone(text string) string {
	d.t.Helper()
	return d.waitUntil(fmt.Sprintf("stopped showing %q", text), true, func(f string) bool { return !strings.Contains(f, text) })
}

// keys presses keys by name: "enter", "esc", "space", "tab",
// "shift+tab", "up", "down", "ctrl+c", or a single character.
func (d *driver) keys(names ...string) {
	for _, n := range names {
		d.p.Send(keyPress(n))
	}
}

func keyPress(n string) tea.KeyPressMsg {
	switch n {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: ' ', Text: " "}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	}
	if rest, ok := strings.CutPrefix(n, "ctrl+"); ok && len(rest) == 1 {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(n)[0]
	return tea.KeyPressMsg{Code: r, Text: n}
}

// settle waits until the program has caught up: some widgets (huh's
// fields) move focus with a command of their own, which a person's next
// key never overtakes.
func (d *driver) settle() {
	d.t.Helper()
	prev, _ := d.frame()
	same := 0
	for i := 0; i < 2000 && same < 3; i++ {
		time.Sleep(2 * time.Millisecond)
		f, busy := d.frame()
		if f == prev && !busy {
			same++
		} else {
			same = 0
		}
		prev = f
	}
}

// formKeys presses keys in a form, letting each one land.
func (d *driver) formKeys(names ...string) {
	for _, n := range names {
		d.keys(n)
		d.settle()
	}
}

// typeText types text as a person would, one key at a time.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.keys(string(r))
	}
}

// golden compares a frame with testdata/golden/name.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file (go test ./ui -run %s -update writes it): %v", t.Name(), err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (-update rewrites it)\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

// openOverlay is the overlay of type T open on a, if one is.
func openOverlay[T component.Overlay](a *App) (T, bool) {
	o, ok := a.overlay.(T)
	return o, ok
}
