package ui

import (
	"image/color"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The help line is kept from one frame to the next while what it is
// drawn from stays the same; a change of the terminal's background
// changes its styles, and the line is drawn again in them.
func TestTheHelpLineIsDrawnAgainInANewBackgroundsStyles(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.waitFor("Production", "PAUSED")
	dark := d.app.helpLine()
	d.send(tea.BackgroundColorMsg{Color: color.White})
	light := d.app.helpLine()
	d.app.helpMemo = helpLineMemo{}
	if fresh := d.app.helpLine(); light != fresh {
		t.Fatalf("after the background turned light the help line is\n%q\ndrawn afresh it is\n%q", light, fresh)
	}
	if light == dark {
		t.Fatalf("the light background's help line is the dark one's: %q", light)
	}
}
