package common

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/jonboulle/clockwork"
)

// A tick's timer is set as the command is made: time that passes before
// its goroutine runs counts towards it. Set when the command ran, it was
// due a whole interval after that, and a test that moved the clock past
// it first never saw it fire.
func TestATicksTimeCountsFromWhenItWasAskedFor(t *testing.T) {
	clock := clockwork.NewFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := Tick(ctx, clock, time.Second, func(time.Time) tea.Msg { return "fired" })
	clock.Advance(time.Second)
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if msg != "fired" {
			t.Fatalf("got %v", msg)
		}
	case <-time.After(20 * time.Second): // a bound for a hang
		t.Fatal("the tick asked for a second before did not fire when the command ran")
	}
}
