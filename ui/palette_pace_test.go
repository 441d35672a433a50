package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// A pipeline's name typed into the palette at a person's pace (200 and
// 300 ms a key) asks the API once, when the typing pauses: the pause
// waited for is paced by the typing, not a fixed 150 ms that each key at
// 200 ms outlasts.
func TestAPaletteSearchTypedAtAPersonsPaceAsksOnce(t *testing.T) {
	t.Parallel()
	name := lastLargePipeline(t)
	for _, pace := range []time.Duration{200 * time.Millisecond, 300 * time.Millisecond} {
		t.Run(pace.String(), func(t *testing.T) {
			t.Parallel()
			clock := sandboxtest.NewClock()
			env := sandboxtest.Start(t, incidentOptions(clock), nil)
			d := startConsole(t, env, clock, 120, 30)
			d.waitFor("payments-01")
			d.keys(":")
			d.settle()
			from := len(env.Sandbox.Requests())
			for _, r := range name {
				d.keys(string(r))
				d.advance(pace)
			}
			d.advance(component.MaxTypingPause)
			d.waitShown("pipeline  " + name)
			var asked []string
			for _, r := range env.Sandbox.Requests()[from:] {
				if strings.Contains(r.Path, "/pipelines") {
					asked = append(asked, r.Path)
				}
			}
			t.Logf("%q typed at %s a key into the palette: %d searches %v", name, pace, len(asked), asked)
			if len(asked) > 1 {
				t.Fatalf("%d searches for a name typed at %s a key, want 1: %v", len(asked), pace, asked)
			}
		})
	}
}
