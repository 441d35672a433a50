package screen

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// The teams screen (:teams): the organisation's teams, whose UUIDs the
// pipelines API takes for a pipeline's access.

func newTeamsScreen(c *common.Common) common.Screen {
	k := c.Keys
	name := func(t model.Team) string { return common.Emojize(t.Name) }
	return component.NewListScreen(c, component.ListScreenSpec[model.Team]{
		Crumb: "Teams", Title: "Teams",
		Load: func(ctx context.Context) ([]model.Team, error) { return c.Client.ListTeams(ctx) },
		List: component.ListSpec[model.Team]{
			Noun: "teams", Empty: "no teams: the organisation has not turned Teams on",
			Columns: []component.ListColumn[model.Team]{
				component.Col("NAME", 14, 1, 0, name),
				component.Col("DESCRIPTION", 16, 3, 0, func(t model.Team) string { return t.Description }),
				component.Col("PRIVACY", 8, 0, 90, func(t model.Team) string { return t.Privacy }),
				component.Col("NEW MEMBERS", 11, 0, 110, func(t model.Team) present.Cell {
					if t.Default {
						return present.Text("join it")
					}
					return present.As(present.Muted, "—")
				}),
			},
			Key:   func(t model.Team) string { return t.ID },
			Match: func(t model.Team) (string, int) { return name(t) + " " + t.Description, len(name(t)) },
			Keys: []component.ListKey[model.Team]{
				component.OnItem(k.CopyID, func(t model.Team) tea.Cmd { return c.CopyText("the team's UUID", t.ID) }),
				component.Shown[model.Team](k.Filter),
				component.Shown[model.Team](k.Refresh),
				component.Shown[model.Team](k.Back),
			},
		},
	})
}

func init() {
	Register(Registration[NoArg]{Name: "teams", Command: "teams", Place: 55,
		Open: func(c *common.Common, _ NoArg) common.Screen { return newTeamsScreen(c) }})
}
