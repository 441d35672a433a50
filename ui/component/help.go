package component

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// helpOverlay is the full help, drawn from the key map itself over the
// whole area; ?, esc or q closes it.
type helpOverlay struct {
	c *common.Common
}

func NewHelpOverlay(c *common.Common) *helpOverlay { return &helpOverlay{c: c} }

func (h *helpOverlay) help() []key.Binding {
	k := h.c.Keys
	return []key.Binding{k.Help, k.Back}
}

func (h *helpOverlay) Place() placement { return PlaceArea }
func (h *helpOverlay) Typing() bool     { return false }

func (h *helpOverlay) Update(msg tea.Msg) (tea.Cmd, bool) {
	k := h.c.Keys
	if m, ok := msg.(tea.KeyPressMsg); ok && key.Matches(m, k.Help, k.Back, k.Quit) {
		return nil, true
	}
	return nil, false
}

// helpView is the full help overlay, from the key map itself.
func (h *helpOverlay) View(width, height int) string {
	st := h.c.Styles
	k := h.c.Keys
	group := func(title string, bs []key.Binding) []string {
		lines := []string{st.Title.Render(title)}
		for _, b := range bs {
			bh := b.Help()
			line := common.Fit(st.Key.Render(bh.Key), 11) + st.Help.Render(bh.Desc)
			if h.c.KeyOff(b) {
				why := " (read-only)"
				if !h.c.ReadOnly {
					why = " (the token's scopes)"
				}
				line = common.Fit(st.KeyOff.Render(bh.Key), 11) + st.KeyOff.Render(bh.Desc) + st.Muted.Render(why)
			}
			lines = append(lines, line)
		}
		return lines
	}
	cols := [][]string{group("Move", k.Navigation()), group("Act", k.ActionKeys()), group("General", k.General())}
	colWidth := min(34, (width-2)/len(cols))
	var rendered []string
	for _, c := range cols {
		rendered = append(rendered, lipgloss.NewStyle().Width(max(colWidth, 20)).Render(strings.Join(c, "\n")))
	}
	body := lipgloss.JoinHorizontal(lipgloss.Top, rendered...)
	if lipgloss.Width(body) > width {
		body = strings.Join(rendered, "\n\n")
	}
	wrap := st.Muted.Width(max(20, width-2))
	notes := []string{"",
		wrap.Render("p on a running queue says what a pause holds and asks for a note; on a paused queue it resumes your own pause at once, and asks first for someone else's."),
		wrap.Render("space marks queues, in any cluster; p then lists them and pauses (or resumes) all of them with one note. On a queue's Agents tab, space marks agents: p, S and F act on all of them."),
		wrap.Render("? or esc closes this help."),
	}
	// On a short terminal the keys come first: the notes (also in the
	// README) give way, the last one going last.
	for len(notes) > 2 && strings.Count(body+strings.Join(notes, "\n"), "\n")+1 > height {
		notes = append(notes[:1], notes[2:]...)
	}
	return " " + strings.ReplaceAll(body+strings.Join(notes, "\n"), "\n", "\n ")
}
