package common

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// A tick whose console has ended returns at once, with nothing, instead
// of holding the console until it would have fired.
func TestTickEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := Tick(ctx, nil, time.Hour, func(time.Time) tea.Msg { return "fired" })
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	cancel()
	select {
	case msg := <-done:
		if msg != nil {
			t.Fatalf("an ended tick gave %v", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the tick held on after its context ended")
	}
}

func TestTickFires(t *testing.T) {
	cmd := Tick(context.Background(), nil, time.Millisecond, func(time.Time) tea.Msg { return "fired" })
	if msg := cmd(); msg != "fired" {
		t.Fatalf("got %v", msg)
	}
}
