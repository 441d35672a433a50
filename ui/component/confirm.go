package component

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/termsafe"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// ConfirmDialog guards a destructive Action: nothing happens unless the
// name is typed exactly; enter otherwise does nothing and esc cancels, so
// the default is always Cancel. Without a name to type it is a yes/no
// question whose default is no.
type ConfirmDialog struct {
	c                     *common.Common
	Req                   common.AskConfirmMsg
	Input                 textinput.Model
	hint                  string
	yes, no, send, cancel key.Binding
}

func NewConfirm(c *common.Common, req common.AskConfirmMsg) (*ConfirmDialog, tea.Cmd) {
	in := textinput.New()
	in.Prompt = "> "
	// No placeholder: the name drawn grey in the box looked typed.
	in.CharLimit = 500
	in.SetWidth(40)
	d := &ConfirmDialog{c: c, Req: req, Input: in,
		yes:    binding("y", req.Action, "y"),
		no:     binding("n, enter or esc", "no change (the default)"),
		cancel: binding("esc", "no change (the default)", "esc"),
		send:   binding("enter", req.Action+" once the name matches", "enter"),
	}
	return d, d.Input.Focus()
}

func (d *ConfirmDialog) help() []key.Binding {
	if d.Req.Expect == "" {
		return []key.Binding{d.yes, d.no}
	}
	return []key.Binding{d.cancel, d.send}
}

func (d *ConfirmDialog) Place() placement { return PlaceCenter }
func (d *ConfirmDialog) Typing() bool     { return true }

func (d *ConfirmDialog) Update(msg tea.Msg) (tea.Cmd, bool) {
	k, isKey := msg.(tea.KeyPressMsg)
	switch {
	case isKey && d.Req.Expect == "": // every key but y says no
		if key.Matches(k, d.yes) {
			return d.Req.OnConfirm(), true
		}
		return common.Flash(common.FlashInfo, "canceled: nothing was changed"), true
	case isKey && key.Matches(k, d.cancel):
		return common.Flash(common.FlashInfo, "canceled: nothing was changed"), true
	case isKey && key.Matches(k, d.send):
		if d.Input.Value() != d.Req.Expect {
			d.hint = fmt.Sprintf("that is not %q: nothing was sent", common.Clean(d.Req.Expect))
			return nil, false
		}
		return d.Req.OnConfirm(), true
	}
	var cmd tea.Cmd
	d.Input, cmd = d.Input.Update(msg)
	if isKey {
		d.hint = ""
	}
	return cmd, false
}

// View fits the dialog to the area, however long the names in it: the
// title is one line, the name to type is shown whole (up to a third of
// the area), and the body gives way, so the input and the keys always
// show.
func (d *ConfirmDialog) View(width, height int) string {
	st := d.c.Styles
	w := min(70, max(30, width-6))
	wrap := lipgloss.NewStyle().Width(w)
	title := st.Danger.Render(common.Fit(common.Clean(d.Req.Title), w))
	var tail []string
	if d.Req.Expect == "" {
		tail = []string{"", st.Muted.Render(hint(d.help()))}
	} else {
		typeLine := capLines(wrap.Render(fmt.Sprintf("Type %s to confirm:", st.Bold.Render(common.Clean(d.Req.Expect)))), max(1, height/3))
		d.Input.SetWidth(max(10, w-3))
		tail = append([]string{""}, typeLine...)
		tail = append(tail, d.Input.View(), "")
		if d.hint != "" {
			tail = append(tail, st.Warning.Render(common.Fit(d.hint, w)))
		}
		tail = append(tail, st.Muted.Render(hint(d.help())))
	}
	// The dialog's border takes two lines, the title and the gap under it two.
	room := max(1, height-2-2-len(tail))
	text := termsafe.Lines(d.Req.Body) // a body names things from the API: cleaned where drawn
	if n := lipgloss.Height(wrap.Render(text)); n > room && len(d.Req.Expect) > 40 {
		// The name is shown whole where it is to be typed: in the body
		// it gives way first, so the body's end (what cannot be undone)
		// stays.
		text = strings.ReplaceAll(text, d.Req.Expect, shorten(d.Req.Expect, 40))
	}
	body := capLines(wrap.Render(text), room)
	lines := append(append([]string{title, ""}, body...), tail...)
	return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
}

// shorten keeps the start and end of a long name, with "…" between.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) * 2 / 3
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// capLines splits text into lines and keeps at most n, the last of them
// ending in "…" when some were left out.
func capLines(text string, n int) []string {
	lines := strings.Split(text, "\n")
	if len(lines) <= n {
		return lines
	}
	lines = lines[:n]
	last := strings.TrimRight(lines[n-1], " ")
	lines[n-1] = ansi.Truncate(last, max(0, common.Width(last)-1), "") + "…"
	return lines
}
