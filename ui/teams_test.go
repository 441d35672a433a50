package ui

import (
	"context"
	"strings"
	"testing"
)

// :teams, the screen that proves a new screen is one file and its test:
// found in the palette by its command, it lists the organisation's teams
// as the API gives them.
func TestTeamsOpensFromThePaletteAndListsTheTeams(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("teams")
	d.waitFor("command   teams")
	d.keys("enter")
	teams, err := d.env.Client.ListTeams(context.Background())
	if err != nil || len(teams) == 0 {
		t.Fatalf("the sandbox has no teams: %v", err)
	}
	frame := d.waitFor("Teams  4", "NAME", "DESCRIPTION")
	if !strings.Contains(frame, "acme › Teams") {
		t.Errorf("breadcrumbs:\n%s", frame)
	}
	for _, team := range teams {
		row := rowOf(frame, team.Name+" ")
		if row == "" || !strings.Contains(row, team.Description) {
			t.Errorf("team %s is not listed with its description:\n%s", team.Name, frame)
		}
		if joins := strings.Contains(row, "join it"); joins != team.Default {
			t.Errorf("team %s: new members join it %v, shown %v", team.Name, team.Default, joins)
		}
	}
	d.keys("/")
	d.typeText("warehouse")
	d.keys("enter")
	d.waitFor("1 of 4", "Data")
}
