package ui

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// monkeyKeys are what the monkey presses, weighted by repetition: every
// key of the console (but quit), letters and digits for text fields.
var monkeyKeys = []string{
	"j", "j", "j", "k", "k", "up", "down", "down", "g", "G", "enter", "enter", "enter", "esc", "esc", "esc",
	"tab", "shift+tab", "/", "space", "p", "p", "n", "e", "d", "d", "a", "H", "x", "y", "Y", "o", ":", "?", "r",
	"c", "backspace", "a", "b", "s", "m", "o", "1", "-", " ", "0", ".", "z",
}

// TestMonkey presses 20,000 random keys, with resizes and pastes, into the
// console on the demo organisation while the sandbox injects faults: four
// walks of 5,000 from seeds of their own, each on a console and sandbox of
// its own, so that the walks share the machine's cores instead of one walk
// being the test suite's longest wait. Each asserts that nothing panics
// (every key's frame is drawn), that q still quits, and, from the
// sandbox's own log, that no DELETE reached it without its confirmation
// having been typed. Time moves with the keys, 5 ms of the test's clock a
// key: the faults' slow and hung replies, the client's timeouts and
// retries, debounces and flashes all come due.
func TestMonkey(t *testing.T) {
	t.Parallel()
	for walk := range uint64(monkeyWalks) {
		t.Run(fmt.Sprintf("walk%d", walk+1), func(t *testing.T) {
			t.Parallel()
			monkeyWalk(t, walk, monkeyPresses/monkeyWalks)
		})
	}
}

// monkeyPresses are the keys and events of all walks together.
const (
	monkeyPresses = 20000
	monkeyWalks   = 4
)

// monkeyWalk presses keys, resizes and pastes from the walk's seed.
func monkeyWalk(t *testing.T, walk uint64, presses int) {
	d := startDriver(t, driverOptions{width: 100, height: 30, timeout: 300 * time.Millisecond})
	holdQuit := true
	d.filter = func(a *App, msg tea.Msg) tea.Msg {
		if k, ok := msg.(tea.KeyPressMsg); ok && holdQuit && k.String() == "enter" {
			// The monkey must not leave through the palette's quit.
			if p, ok := a.overlay.(*component.Palette); ok && len(p.Shown) > 0 &&
				p.Items[p.Shown[p.Cursor]].Label == "quit" {
				return keyPress("esc")
			}
		}
		return msg
	}
	d.env.Sandbox.SetFaults(&sandbox.Faults{Rate: 0.15, Seed: 2026 + walk, Slow: 30 * time.Millisecond, Hang: 2 * time.Second})
	rng := rand.New(rand.NewPCG(20261124, 7+walk))

	confirmations := 0
	for i := 0; i < presses; i++ {
		switch n := rng.IntN(1000); {
		case n < 8:
			d.p.Send(tea.WindowSizeMsg{Width: 1 + rng.IntN(220), Height: 1 + rng.IntN(70)})
		case n < 12:
			d.p.Send(tea.PasteMsg{Content: strings.Repeat("pasted \x1b[31m text ", 1+rng.IntN(40))})
		case n < 20:
			// Now and then the monkey types a confirmation right, so that
			// deletes are really tried: each is counted.
			if c, ok := openOverlay[*component.ConfirmDialog](d.app); ok && c.Req.Expect != "" {
				c.Input.SetValue("")
				d.typeText(c.Req.Expect)
				d.keys("enter")
				confirmations++
			}
		default:
			d.keys(monkeyKeys[rng.IntN(len(monkeyKeys))])
		}
		// The frame a person sees before the next key.
		_ = d.app.View()
		d.clock.Add(5 * time.Millisecond)
	}
	d.p.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.frame()

	// q quits from wherever the monkey left it: close what is open first,
	// as a person would.
	d.env.Sandbox.SetFaults(nil)
	for i := 0; i < 3; i++ {
		for j := 0; j < 8; j++ {
			d.keys("esc")
		}
		if _, ok := openOverlay[*component.TokenDialog](d.app); ok {
			d.keys("enter") // a token dialog closes only on enter
		}
	}
	d.frame()
	holdQuit = false
	d.keys("q")
	d.waitUntil("quit", false, func(string) bool { return d.quit })
	if !d.quit {
		t.Fatalf("q did not quit (quitting=%v capturing=%v overlay=%T top=%T)",
			d.app.quitting, d.app.top().Capturing(), d.app.overlay, d.app.top())
	}

	log := d.env.Sandbox.Requests()
	deletes, faults := 0, 0
	for _, r := range log {
		// A DELETE that met a fault (a 429, say) did nothing and may be
		// retried; the ones that reached the API's data are the rest.
		if r.Method == http.MethodDelete && r.Fault == "" {
			deletes++
		}
		if r.Fault != "" {
			faults++
		}
	}
	if deletes > confirmations {
		t.Fatalf("%d DELETEs reached the sandbox after %d typed confirmations", deletes, confirmations)
	}
	t.Logf("monkey: %d keys and events, %d requests, %d faults met, %d confirmations typed, %d DELETEs, panics: 0",
		presses, len(log), faults, confirmations, deletes)
}
