package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Tick is tea.Tick that gives up when ctx ends. bubbletea runs a command
// in a goroutine that holds its program until the command returns, and
// does not stop a pending tea.Tick when the program ends: over SSH an
// ended session's console (its screen buffers included) stayed in memory
// until its longest tick fired, up to a refresh interval later. Under the
// console's context, a tick ends with the console.
func Tick(ctx context.Context, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case now := <-t.C:
			return fn(now)
		case <-ctx.Done():
			return nil
		}
	}
}
