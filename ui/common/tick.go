package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/jonboulle/clockwork"
)

// Tick is tea.Tick on clock (the real one when nil) that gives up when
// ctx ends. bubbletea runs a command in a goroutine that holds its
// program until the command returns, and does not stop a pending
// tea.Tick when the program ends: over SSH an ended session's console
// (its screen buffers included) stayed in memory until its longest tick
// fired, up to a refresh interval later. Under the console's context, a
// tick ends with the console. On the console's clock, a test moves every
// timer of the console by hand.
//
// The timer is set here, as the command is made (in the Update that asks
// for it), not when bubbletea gets round to running the command: the
// tick is due d after it was asked for, however busy the loop, and the
// timer exists before anything else can happen on the clock (a test that
// moves the clock right after the Update fires it).
//
// A command that is never run leaves its timer unstopped, which is
// harmless: a real timer holds no goroutine and, unreferenced, is
// collected whether stopped or not (Go 1.23's timers); a fake clock's
// fires into its buffered channel the next time the test moves past it,
// and is dropped.
func Tick(ctx context.Context, clock clockwork.Clock, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var timer clockwork.Timer
	out := func(msg tea.Msg) tea.Msg { return msg }
	if w, ok := clock.(TickWatch); ok {
		timer, out = w.TickTimer(d)
	} else {
		timer = clock.NewTimer(d)
	}
	return func() tea.Msg {
		defer timer.Stop()
		select {
		case now := <-timer.Chan():
			return out(fn(now))
		case <-ctx.Done():
			return out(nil)
		}
	}
}

// TickWatch is a clock that follows each tick to the loop: a test's, which
// after moving the clock waits for the ticks of the timers it fired to be
// taken in (a timer's firing and its message reaching Update are apart:
// the message comes from a goroutine of its own). The production clocks
// are not one.
type TickWatch interface {
	clockwork.Clock
	// TickTimer sets the timer of a tick due after d, and gives the func
	// its message passes through on its way out of the command (nil when
	// the tick ended with its context); the loop gets what that returns.
	TickTimer(d time.Duration) (clockwork.Timer, func(tea.Msg) tea.Msg)
}

// Tick is Tick on the console's clock, ending with the console.
func (c *Common) Tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return Tick(c.AppCtx, c.Clock, d, fn)
}
