package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// openPrompt asks for the note of a pause of targets, unless changes are
// turned off. The pauses themselves are the incident workflow's
// (actions.Incident).
func (a *App) openPrompt(targets []common.QueueRef, holds string) tea.Cmd {
	if cmd := a.incident.RefusePause(targets); cmd != nil {
		return cmd
	}
	p, cmd := component.NewNotePrompt(a.c, targets, holds, a.width)
	a.overlay = p
	return cmd
}
