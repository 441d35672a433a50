package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
)

// notePrompt is the one-line note asked for before a pause: Enter
// pauses (an empty note is fine), Esc cancels.
type notePrompt struct {
	c       *Common
	targets []queueRef
	input   textinput.Model
}

func (a *App) openPrompt(targets []queueRef) tea.Cmd {
	if a.c.ReadOnly {
		var cmd tea.Cmd
		for _, t := range targets {
			cmd = a.c.refuse("queue.pause", queueTarget(t), "pausing")
		}
		return cmd
	}
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = "why? (optional, shown on the queue and its builds)"
	in.CharLimit = model.MaxTextLength
	in.SetWidth(max(20, a.width-40))
	a.prompt = &notePrompt{c: a.c, targets: targets, input: in}
	return a.prompt.input.Focus()
}

func (p *notePrompt) what() string {
	if len(p.targets) == 1 {
		t := p.targets[0]
		return fmt.Sprintf("Pause %s (%s)", clean(t.Queue.Key), clean(t.ClusterName))
	}
	clusters := map[string]bool{}
	for _, t := range p.targets {
		clusters[t.ClusterID] = true
	}
	return fmt.Sprintf("Pause %s in %s", plural(len(p.targets), "queue", "queues"), plural(len(clusters), "cluster", "clusters"))
}

func (p *notePrompt) view(width int) string {
	st := p.c.Styles
	prefix := st.Paused.Render(p.what()) + st.Muted.Render(" — note: ")
	hint := st.Muted.Render("  enter pauses · esc cancels")
	p.input.SetWidth(max(10, width-lipgloss.Width(prefix)-lipgloss.Width(hint)-2))
	return prefix + p.input.View() + hint
}

func (a *App) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		a.prompt = nil
		return flash(flashInfo, "pause cancelled")
	case "enter":
		p := a.prompt
		a.prompt = nil
		return a.startPause(p.targets, strings.TrimSpace(p.input.Value()))
	}
	var cmd tea.Cmd
	a.prompt.input, cmd = a.prompt.input.Update(msg)
	return cmd
}

// confirmDialog guards a destructive action: nothing happens unless the
// name is typed exactly; Enter otherwise does nothing and Esc cancels, so
// the default is always Cancel.
type confirmDialog struct {
	c     *Common
	req   askConfirmMsg
	input textinput.Model
	hint  string
}

func newConfirm(c *Common, req askConfirmMsg) *confirmDialog {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = req.expect
	in.CharLimit = 500
	in.SetWidth(40)
	return &confirmDialog{c: c, req: req, input: in}
}

func (d *confirmDialog) view(width int) string {
	st := d.c.Styles
	w := min(70, max(30, width-6))
	lines := []string{st.Danger.Render(d.req.title), ""}
	lines = append(lines, lipgloss.NewStyle().Width(w).Render(d.req.body))
	if d.req.expect == "" {
		lines = append(lines, "", st.Muted.Render("y "+d.req.action+" · n, enter or esc cancels (the default)"))
		return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
	}
	lines = append(lines, "", fmt.Sprintf("Type %s to confirm:", st.Bold.Render(clean(d.req.expect))), d.input.View(), "")
	if d.hint != "" {
		lines = append(lines, st.Warning.Render(d.hint))
	}
	lines = append(lines, st.Muted.Render("esc cancels (the default) · enter "+d.req.action+" once the name matches"))
	return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
}

func (a *App) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	d := a.confirm
	if d.req.expect == "" { // a yes/no question whose default is no
		a.confirm = nil
		if msg.String() == "y" {
			return d.req.onConfirm()
		}
		return flash(flashInfo, "cancelled: nothing was changed")
	}
	switch msg.String() {
	case "esc":
		a.confirm = nil
		return flash(flashInfo, "cancelled: nothing was changed")
	case "enter":
		if d.input.Value() != d.req.expect {
			d.hint = fmt.Sprintf("that is not %q: nothing was sent", clean(d.req.expect))
			return nil
		}
		a.confirm = nil
		return d.req.onConfirm()
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	d.hint = ""
	return cmd
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
func (c *Common) confirmThen(d confirmedChange) tea.Cmd {
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
