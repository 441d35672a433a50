package ui

import (
	"strings"
	"testing"
)

// The palette's commands are the root's own and the registered screens',
// in their places: the order they had when the palette named every
// screen itself, with :teams among them.
func TestPaletteListsTheCommandsInTheirPlaces(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	frame := d.waitFor("command   quit")
	var got []string
	for _, line := range strings.Split(frame, "\n") {
		if _, name, ok := strings.Cut(line, "command   "); ok {
			got = append(got, strings.Fields(name)[0])
		}
	}
	want := "clusters pipelines builds org paused teams messages help quit"
	if strings.Join(got, " ") != want {
		t.Fatalf("the palette lists %v, want %s:\n%s", got, want, frame)
	}
}
