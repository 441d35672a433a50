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
func Tick(ctx context.Context, clock clockwork.Clock, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return func() tea.Msg {
		t := clock.NewTimer(d)
		defer t.Stop()
		select {
		case now := <-t.Chan():
			return fn(now)
		case <-ctx.Done():
			return nil
		}
	}
}

// Tick is Tick on the console's clock, ending with the console.
func (c *Common) Tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return Tick(c.AppCtx, c.Clock, d, fn)
}
