package component

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// notePrompt is the note asked for before a pause, in a dialog that says
// what the pause will hold and, for several queues, lists them: enter
// pauses (an empty note is fine), esc cancels.
type notePrompt struct {
	c             *common.Common
	targets       []common.QueueRef
	holds         string
	input         textinput.Model
	pause, cancel key.Binding
	answer        tea.Msg
	// tooLong is said under the note while it is longer than Buildkite
	// takes (its 422 "Note is too long"): it is not sent, nor cut.
	tooLong string
}

// Answered is an overlay that hands the root model its answer as a value
// once it has closed (the note prompt's pause): the root takes it at once,
// in the same Update as the key that closed the overlay, so that nothing
// typed after it can come first.
type Answered interface {
	// Answer is what the overlay was answered, nil when it was not
	// (cancelled).
	Answer() tea.Msg
}

// PauseNoted asks the root model to pause targets with note.
type PauseNoted = actions.PauseNoted

func NewNotePrompt(c *common.Common, targets []common.QueueRef, holds string, width int) (*notePrompt, tea.Cmd) {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = ""
	// The input holds more than a note may have, so that a longer paste
	// is not cut silently: the prompt says so, and sends nothing, until
	// it is short enough. Still bounded: a paste is not trusted.
	in.CharLimit = 16 * model.MaxTextLength
	in.SetWidth(max(20, width-40))
	p := &notePrompt{c: c, targets: targets, holds: holds, input: in,
		pause: binding("enter", "pauses", "enter"), cancel: binding("esc", "cancels", "esc")}
	return p, p.input.Focus()
}

func (p *notePrompt) Answer() tea.Msg { return p.answer }

func (p *notePrompt) help() []key.Binding { return []key.Binding{p.pause, p.cancel} }
func (p *notePrompt) Place() placement    { return PlaceCenter }
func (p *notePrompt) Typing() bool        { return true }

func (p *notePrompt) interruptible() {}

func (p *notePrompt) Update(msg tea.Msg) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, p.cancel), key.Matches(k, p.c.Keys.ForceQuit):
			return common.Flash(common.FlashInfo, "pause canceled"), true
		case key.Matches(k, p.pause):
			note := strings.TrimSpace(p.input.Value())
			if n := utf8.RuneCountInString(note); n > model.MaxTextLength {
				p.tooLong = fmt.Sprintf("the note has %s characters; Buildkite takes at most %s: shorten it to pause",
					common.Thousands(n), common.Thousands(model.MaxTextLength))
				return nil, false
			}
			p.answer = PauseNoted{Targets: p.targets, Note: note}
			return nil, true
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.tooLong != "" && utf8.RuneCountInString(strings.TrimSpace(p.input.Value())) <= model.MaxTextLength {
		p.tooLong = ""
	}
	return cmd, false
}

func (p *notePrompt) what() string {
	if len(p.targets) == 1 {
		t := p.targets[0]
		return fmt.Sprintf("Pause %s (%s)", common.Clean(t.Queue.Key), common.Clean(t.ClusterName))
	}
	clusters := map[string]bool{}
	for _, t := range p.targets {
		clusters[t.ClusterID] = true
	}
	return fmt.Sprintf("Pause %s in %s", common.Plural(len(p.targets), "queue", "queues"), common.Plural(len(clusters), "cluster", "clusters"))
}

func (p *notePrompt) View(width, height int) string {
	st := p.c.Styles
	w := min(72, max(30, width-6))
	wrap := lipgloss.NewStyle().Width(w)
	lines := []string{st.Paused.Render(p.what())}
	if len(p.targets) > 1 {
		// The list: which queues, so that nothing is paused unseen. A
		// long list shows its first ones and how many more.
		room := max(3, height-12)
		for i, t := range p.targets {
			if i == room && len(p.targets) > room+1 {
				lines = append(lines, st.Muted.Render(fmt.Sprintf("  … and %d more", len(p.targets)-room)))
				break
			}
			line := "  • " + common.Clean(t.ClusterName) + " › " + common.Clean(t.Queue.Key)
			if t.Queue.DispatchPaused {
				line += st.Muted.Render(" (already paused)")
			}
			lines = append(lines, line)
		}
	}
	holds := p.holds
	if holds == "" {
		holds = "Running jobs finish; waiting ones stay queued until you resume."
	}
	lines = append(lines, "", wrap.Render(st.Muted.Render(holds)), "", "Note (why? shown on the queue and its builds; optional):")
	p.input.SetWidth(w - 2)
	lines = append(lines, "> "+p.input.View())
	if p.tooLong != "" {
		lines = append(lines, wrap.Render(st.FlashError.Render(p.tooLong)))
	}
	lines = append(lines, "", st.Muted.Render(hint(p.help())))
	return st.Dialog.Width(w + 4).Render(strings.Join(lines, "\n"))
}
