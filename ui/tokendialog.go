package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// tokenDialog shows an agent token's value the one time the API gives
// it. It closes only on enter; c copies the value with OSC 52. When it
// closes the value is dropped: it is kept nowhere else.
type tokenDialog struct {
	c            *Common
	shown        tokenShown
	copied       bool
	copy, closes key.Binding
}

func newTokenDialog(c *Common, shown tokenShown) *tokenDialog {
	return &tokenDialog{c: c, shown: shown,
		copy:   binding("c", "copies it", "c", "y"),
		closes: binding("enter", "closes (the value is then gone)", "enter")}
}

func (d *tokenDialog) help() []key.Binding { return []key.Binding{d.copy, d.closes} }
func (d *tokenDialog) place() placement    { return placeCenter }
func (d *tokenDialog) typing() bool        { return false }

func (d *tokenDialog) update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	switch {
	case !ok:
	case key.Matches(k, d.copy):
		d.copied = true
		return tea.SetClipboard(d.shown.token.Token), false
	case key.Matches(k, d.closes):
		return flash(flashOK, "token created; its value is no longer shown anywhere"), true
	}
	return nil, false
}

func (d *tokenDialog) view(width, _ int) string {
	st := d.c.Styles
	w := min(76, max(40, width-6))
	t := d.shown.token
	lines := []string{
		st.Title.Render("Agent token created"),
		"",
		fmt.Sprintf("%s · %s", clean(t.Description), clean(d.shown.clusterName)),
		"",
		st.Bold.Render(t.Token),
		"",
		lipgloss.NewStyle().Width(w).Render(st.Warning.Render("This is the only time the token's value is shown: Buildkite does not keep it for us to show again. Store it now, in your agents' configuration or a secret store.")),
		"",
	}
	if d.copied {
		lines = append(lines, st.FlashOK.Render("✓ copied to your clipboard"))
	}
	lines = append(lines, st.Muted.Render(hint(d.help())))
	return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
}
