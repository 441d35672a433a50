package ui

import (
	"testing"

	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// An agent paused with no timeout is resumed by Buildkite after its
// default of 5 minutes: the form says so, and the queue's agents and
// :paused show when it ends, not "until resumed".
func TestAnAgentPausedWithoutATimeoutEndsAfterBuildkitesDefault(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{clock: sandboxtest.NewClock(), width: 160, height: 48})
	frame := openQueue(d, "Production", "default")
	name := selectedAgent(t, frame)
	d.keys("p")
	d.waitFor("Pause "+name, "empty: 5 minutes (Buildkite's default)")
	d.typeText("reboot")
	d.formKeys("enter", "enter")
	d.waitFor(name + " paused")
	a := sandboxAgent(t, d, name)
	if !a.Paused || model.Value(a.PausedTimeoutInMinutes) != model.DefaultAgentPauseMinutes {
		t.Fatalf("the sandbox's agent is not paused for Buildkite's default: %+v", a)
	}
	d.waitFor("‖ paused · ends in 5m")
	d.keys(":")
	d.typeText("paused")
	d.keys("enter")
	d.waitFor("Paused queues and agents", name, "ends in 5m")
}
