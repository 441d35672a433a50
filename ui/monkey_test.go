package ui

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/ui/common"
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
// console on the demo organisation while the sandbox injects faults. It
// asserts that nothing panics, that q still quits, and, from the
// sandbox's own log, that no DELETE reached it without its confirmation
// having been typed.
func TestMonkey(t *testing.T) {
	if testing.Short() {
		t.Skip("the monkey takes a while")
	}
	common.OpenBrowser = func(string) error { return errors.New("no browser in tests") }
	var holdQuit atomic.Bool
	holdQuit.Store(true)
	d := startDriver(t, driverOptions{width: 100, height: 30, timeout: 300 * time.Millisecond, holdQuit: &holdQuit})
	d.env.Sandbox.SetFaults(&sandbox.Faults{Rate: 0.15, Seed: 2026, Slow: 30 * time.Millisecond, Hang: 2 * time.Second})
	rng := rand.New(rand.NewPCG(20261124, 7))

	const presses = 20000
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
			expect := make(chan string, 1)
			d.p.Send(probe{fn: func(a *App) {
				if d, ok := openOverlay[*component.ConfirmDialog](a); ok && d.Req.Expect != "" {
					expect <- d.Req.Expect
				} else {
					expect <- ""
				}
			}})
			if e := <-expect; e != "" {
				d.clearInput()
				d.typeText(e)
				d.keys("enter")
				confirmations++
			}
		default:
			d.keys(monkeyKeys[rng.IntN(len(monkeyKeys))])
		}
		if i%250 == 0 {
			d.frame() // let the program catch up, as a person's pace would
		}
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
		open := make(chan bool, 1)
		d.p.Send(probe{fn: func(a *App) { _, ok := openOverlay[*component.TokenDialog](a); open <- ok }})
		if <-open {
			d.keys("enter") // a token dialog closes only on enter
		}
	}
	d.frame()
	holdQuit.Store(false)
	d.keys("q")
	select {
	case err := <-d.out:
		if err != nil {
			t.Fatalf("the program ended with %v", err)
		}
		d.out <- nil // for the cleanup
	case <-time.After(20 * time.Second):
		state := make(chan string, 1)
		d.p.Send(probe{fn: func(a *App) {
			state <- fmt.Sprintf("quitting=%v capturing=%v overlay=%T top=%T", a.quitting, a.top().Capturing(), a.overlay, a.top())
		}})
		t.Fatalf("q did not quit (%s); the screen:\n%s", <-state, func() string { f, _ := d.frame(); return f }())
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

// clearInput empties the confirmation's input before the monkey types.
func (d *driver) clearInput() {
	done := make(chan struct{})
	d.p.Send(probe{fn: func(a *App) {
		if d, ok := openOverlay[*component.ConfirmDialog](a); ok {
			d.Input.SetValue("")
		}
		close(done)
	}})
	<-done
}
