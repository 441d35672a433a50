package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
)

// Issue 17, 19: "ff0000" was refused as a colour. It is taken, and the
// cluster is made with "#ff0000".
func TestAColourWithoutItsHashIsTaken(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	d.waitFor("Production", "PAUSED")
	d.keys("n")
	d.waitFor("New cluster")
	for _, v := range []string{"Red Team", "", "", "ff0000"} {
		d.p.Send(tea.PasteMsg{Content: v})
		d.formKeys("enter")
	}
	d.waitFor("Red Team")
	clusters, err := d.env.Client.ListClusters(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters {
		if c.Name == "Red Team" {
			if got := model.Value(c.Color); got != "#ff0000" {
				t.Fatalf("the cluster's colour is %q", got)
			}
			return
		}
	}
	t.Fatal("the cluster was not made")
}
