package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Tests of the console parts of issues 14 (fidelity), 21 (hardening) and
// 17 (items 7, 17, 24): each fails without its fix.

// A paste goes into the / filter as typing does (issue 21, 13): it once
// did nothing.
func TestPasteIntoTheFilter(t *testing.T) {
	d := startDriver(t, driverOptions{width: 100, height: 30})
	d.waitFor("Production", "Mobile", "PAUSED")
	d.keys("/")
	d.p.Send(tea.PasteMsg{Content: "mobile"})
	d.waitFor("/mobile", "1 of 5")
	d.keys("enter")
	frame := d.waitGone("Production")
	if !strings.Contains(frame, "Mobile") {
		t.Fatalf("the pasted filter did not keep Mobile:\n%s", frame)
	}
	// Outside the filter a paste is no key: nothing moves.
	d.p.Send(tea.PasteMsg{Content: "q"})
	d.waitFor("Mobile")
}
