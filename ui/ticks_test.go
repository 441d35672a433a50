package ui

import (
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// tickAsker is a screen that asks for a tick a second away whenever it is
// given askTick, and counts the ticks it takes in.
type tickAsker struct {
	common.ScreenBase
	ticks int
}

type (
	askTick   struct{}
	askedTick struct{}
)

func (s *tickAsker) Crumb() string       { return "ticks" }
func (s *tickAsker) Init() tea.Cmd       { return nil }
func (s *tickAsker) View() string        { return "ticks" }
func (s *tickAsker) Help() []key.Binding { return nil }
func (s *tickAsker) Capturing() bool     { return false }
func (s *tickAsker) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg.(type) {
	case askTick:
		return s, s.C.Tick(time.Second, func(time.Time) tea.Msg { return askedTick{} })
	case askedTick:
		s.ticks++
	}
	return s, nil
}

// A tick asked for in an Update is due a second after it was asked for,
// however late its command's goroutine runs, and the driver hands it to
// Update before it says the program has caught up: a test that moves the
// clock at once sees the tick, and one that checks a tick did not come
// checks something. The timer was set in the command's goroutine, after
// the clock had moved on (it then fired a second after that, never in
// the test), and the driver returned once the goroutines had had their
// turn, before a fired timer's message was back.
func TestATickAskedForIsTakenInOnceItsTimeHasPassed(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{})
	d.waitFor("Production")
	asker := &tickAsker{ScreenBase: common.NewBase(d.app.c)}
	d.p.Send(common.PushMsg{Screen: asker})

	for i := 1; i <= 20; i++ {
		d.send(askTick{})
		d.clock.Add(time.Second) // at once: the command has not run yet
		d.settle()
		if asker.ticks != i {
			t.Fatalf("after %d ticks asked for, each followed at once by its second, %d taken in", i, asker.ticks)
		}
	}

	d.send(askTick{})
	d.advance(time.Second - time.Nanosecond)
	d.settle()
	if asker.ticks != 20 {
		t.Fatalf("a tick came before its second had passed (%d)", asker.ticks)
	}
	d.advance(time.Nanosecond)
	if asker.ticks != 21 { // advance alone: no settle
		t.Fatalf("advance returned before the tick it fired was taken in (%d of 21)", asker.ticks)
	}
}
