package component

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// TokenDialog shows an agent token's value the one time the API gives
// it. It closes only on enter; c copies the value with OSC 52. When it
// closes the value is dropped: it is kept nowhere else.
type TokenDialog struct {
	c            *common.Common
	shown        common.TokenShown
	copied       bool
	copy, closes key.Binding
}

func NewTokenDialog(c *common.Common, shown common.TokenShown) *TokenDialog {
	return &TokenDialog{c: c, shown: shown,
		copy:   binding("c", "copies it", "c", "y"),
		closes: binding("enter", "closes (the value is then gone)", "enter")}
}

func (d *TokenDialog) help() []key.Binding { return []key.Binding{d.copy, d.closes} }
func (d *TokenDialog) Place() placement    { return PlaceCenter }
func (d *TokenDialog) Typing() bool        { return false }

func (d *TokenDialog) Update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	switch {
	case !ok:
	case key.Matches(k, d.copy):
		d.copied = true
		// A value from the API: no line break or escape of its reaches a
		// clipboard a shell may be pasted from.
		return tea.SetClipboard(common.ClipboardText(d.shown.Token.Token)), false
	case key.Matches(k, d.closes):
		return common.Flash(common.FlashOK, "token created; its value is no longer shown anywhere"), true
	}
	return nil, false
}

func (d *TokenDialog) View(width, _ int) string {
	st := d.c.Styles
	w := min(76, max(40, width-6))
	t := d.shown.Token
	lines := []string{
		st.Title.Render("Agent token created"),
		"",
		fmt.Sprintf("%s · %s", common.Clean(t.Description), common.Clean(d.shown.ClusterName)),
		"",
		st.Bold.Render(common.Clean(t.Token)),
		"",
		lipgloss.NewStyle().Width(w).Render(st.Warning.Render("This is the only time the token's value is shown: Buildkite does not keep it for us to show again. Store it now, in your agents' configuration or a secret store.")),
		"",
	}
	if d.copied {
		// OSC 52 may be dropped on the way (tmux's default), and the
		// console cannot know: it says what it did, and what to check.
		lines = append(lines, lipgloss.NewStyle().Width(w).Render(st.FlashOK.Render("✓ "+common.ClipboardSent("the value", common.ClipboardText(t.Token))+"; if your clipboard does not start so, select the value above")))
	}
	lines = append(lines, st.Muted.Render(hint(d.help())))
	return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
}
