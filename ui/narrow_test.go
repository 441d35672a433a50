package ui

import (
	"strings"
	"testing"
)

// At 80 columns :paused says when an agent's pause ends (FOR), which
// matters more than how long ago it began (WHEN, shown from 100
// columns), and keeps the agent's name readable (issue 29, 10).
func TestPausedSaysWhenAnAgentsPauseEndsAt80Columns(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 24})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("paused")
	d.keys("enter")
	frame := d.waitFor("Paused queues and agents", "PAUSED BY")
	var agent string
	for _, line := range strings.Split(frame, "\n") {
		if strings.Contains(line, "agent ") {
			agent = line
		}
	}
	if !strings.Contains(agent, "ends in") || !strings.Contains(frame, "FOR") {
		t.Fatalf("the paused agent's row does not say when its pause ends: %q\n%s", agent, frame)
	}
	if !strings.Contains(agent, "default-10-242-228-86") {
		t.Errorf("the paused agent's name is cut short: %q", agent)
	}
}
