package ui

import (
	"reflect"

	"charm.land/bubbles/v2/cursor"
	tea "charm.land/bubbletea/v2"
)

// blinkCanceledType is the type of the message a text cursor's blink
// command ends with when a newer blink replaced it, which each key typed
// into a text field does: bubbles keeps the type to itself, and a cursor
// given it does nothing. A form given it redraws every field all the
// same (huh's Group.Update builds its view on every message): one
// redraw more for each key typed. The console drops it instead.
var blinkCanceledType = func() reflect.Type {
	c := cursor.New()
	first := c.Blink()
	c.Blink() // cancels the first; its own timer ends on its own
	return reflect.TypeOf(first())
}()

// blinkCanceled reports whether msg is a cursor's canceled blink.
func blinkCanceled(msg tea.Msg) bool {
	return msg != nil && reflect.TypeOf(msg) == blinkCanceledType
}
