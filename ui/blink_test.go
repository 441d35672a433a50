package ui

import (
	"reflect"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// A key typed into a form's text field cancels its cursor's last blink,
// whose command then ends with a message the cursor does nothing with.
// The console drops it before the form, which would redraw every field
// for it: it costs no more than a handful of allocations, where the
// form's redraw costs thousands. (Not parallel: AllocsPerRun counts the
// whole process's.)
func TestACanceledBlinkIsDroppedBeforeTheForm(t *testing.T) {
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	var canceled tea.Msg
	d.filter = func(_ *App, msg tea.Msg) tea.Msg {
		if canceled == nil && reflect.TypeOf(msg) == blinkCanceledType {
			canceled = msg
		}
		return msg
	}
	d.typeText("Release Train")
	d.waitUntil("a canceled blink", false, func(string) bool { return canceled != nil })
	d.filter = nil
	d.waitFor("slug: release-train")

	allocs := testing.AllocsPerRun(20, func() { d.app.Update(canceled) })
	t.Logf("%s: %.0f allocations", reflect.TypeOf(canceled), allocs)
	if allocs > 20 {
		t.Fatalf("a canceled blink cost %.0f allocations: it reached the form", allocs)
	}
}
