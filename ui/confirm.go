package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/org"
)

// confirmDialog guards a destructive action: nothing happens unless the
// name is typed exactly; enter otherwise does nothing and esc cancels, so
// the default is always Cancel. Without a name to type it is a yes/no
// question whose default is no.
type confirmDialog struct {
	c                     *Common
	req                   askConfirmMsg
	input                 textinput.Model
	hint                  string
	yes, no, send, cancel key.Binding
}

func newConfirm(c *Common, req askConfirmMsg) (*confirmDialog, tea.Cmd) {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = req.expect
	in.CharLimit = 500
	in.SetWidth(40)
	d := &confirmDialog{c: c, req: req, input: in,
		yes:    binding("y", req.action, "y"),
		no:     binding("n, enter or esc", "cancels (the default)"),
		cancel: binding("esc", "cancels (the default)", "esc"),
		send:   binding("enter", req.action+" once the name matches", "enter"),
	}
	return d, d.input.Focus()
}

func (d *confirmDialog) help() []key.Binding {
	if d.req.expect == "" {
		return []key.Binding{d.yes, d.no}
	}
	return []key.Binding{d.cancel, d.send}
}

func (d *confirmDialog) place() placement { return placeCenter }
func (d *confirmDialog) typing() bool     { return true }

func (d *confirmDialog) update(msg tea.Msg) (tea.Cmd, bool) {
	k, isKey := msg.(tea.KeyPressMsg)
	switch {
	case isKey && d.req.expect == "": // every key but y says no
		if key.Matches(k, d.yes) {
			return d.req.onConfirm(), true
		}
		return flash(flashInfo, "cancelled: nothing was changed"), true
	case isKey && key.Matches(k, d.cancel):
		return flash(flashInfo, "cancelled: nothing was changed"), true
	case isKey && key.Matches(k, d.send):
		if d.input.Value() != d.req.expect {
			d.hint = fmt.Sprintf("that is not %q: nothing was sent", clean(d.req.expect))
			return nil, false
		}
		return d.req.onConfirm(), true
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	if isKey {
		d.hint = ""
	}
	return cmd, false
}

func (d *confirmDialog) view(width, _ int) string {
	st := d.c.Styles
	w := min(70, max(30, width-6))
	lines := []string{st.Danger.Render(d.req.title), ""}
	lines = append(lines, lipgloss.NewStyle().Width(w).Render(d.req.body))
	if d.req.expect == "" {
		lines = append(lines, "", st.Muted.Render(hint(d.help())))
		return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
	}
	lines = append(lines, "", fmt.Sprintf("Type %s to confirm:", st.Bold.Render(clean(d.req.expect))), d.input.View(), "")
	if d.hint != "" {
		lines = append(lines, st.Warning.Render(d.hint))
	}
	lines = append(lines, st.Muted.Render(hint(d.help())))
	return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
}

// confirmedChange is a change that needs a confirmation: turned down in
// read-only mode, asked about with the name to type, then sent under the
// console's context; when done, shows is shown on every screen and done
// is said.
type confirmedChange struct {
	// audit and target say what the change is made to, for the audit
	// log (a refusal too); refused is what read-only mode turns off.
	audit   string
	target  audit.Target
	refused string
	// title, body, expect (the name to type) and verb ("deletes") make
	// the confirmation.
	title, body, expect, verb string
	// doing names the change in the footer and in a failure's flash.
	doing, done string
	send        func(ctx context.Context) error
	shows       org.Change
}

// confirmThen asks for the confirmation of d and, once given, makes the
// change.
func confirmThen(c *Common, d confirmedChange) tea.Cmd {
	if c.ReadOnly {
		return c.refuse(d.audit, d.target, d.refused)
	}
	return c.post(askConfirmMsg{title: d.title, body: d.body, expect: d.expect, action: d.verb,
		onConfirm: func() tea.Cmd {
			return c.run(c.appCtx, org.Interactive, d.doing, func(ctx context.Context) tea.Msg {
				err := d.send(named(ctx, d.target))
				return mutationDone{what: d.doing, err: err, ok: tea.Batch(send(d.shows), flash(flashOK, d.done))}
			})
		}})
}
