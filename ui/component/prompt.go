package component

import (
	"fmt"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/model"
)

// notePrompt is the one-line note asked for before a pause, in the
// footer: enter pauses (an empty note is fine), esc cancels.
type notePrompt struct {
	c             *common.Common
	targets       []common.QueueRef
	input         textinput.Model
	pause, cancel key.Binding
}

// PauseNoted asks the root model to pause targets with note.
type PauseNoted struct {
	Targets []common.QueueRef
	Note    string
}

const (
	notePlaceholder      = "why? (optional, shown on the queue and its builds)"
	notePlaceholderShort = "why? (optional)"
)

func NewNotePrompt(c *common.Common, targets []common.QueueRef, width int) (*notePrompt, tea.Cmd) {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = notePlaceholder
	in.CharLimit = model.MaxTextLength
	in.SetWidth(max(20, width-40))
	p := &notePrompt{c: c, targets: targets, input: in,
		pause: binding("enter", "pauses", "enter"), cancel: binding("esc", "cancels", "esc")}
	return p, p.input.Focus()
}

func (p *notePrompt) help() []key.Binding { return []key.Binding{p.pause, p.cancel} }
func (p *notePrompt) Place() placement    { return PlaceFooter }
func (p *notePrompt) Typing() bool        { return true }

func (p *notePrompt) Update(msg tea.Msg) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, p.cancel):
			return common.Flash(common.FlashInfo, "pause cancelled"), true
		case key.Matches(k, p.pause):
			return p.c.Post(PauseNoted{Targets: p.targets, Note: strings.TrimSpace(p.input.Value())}), true
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
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

func (p *notePrompt) View(width, _ int) string {
	st := p.c.Styles
	prefix := st.Paused.Render(p.what()) + st.Muted.Render(" — note: ")
	hint := st.Muted.Render("  " + hint(p.help()))
	room := max(10, width-lipgloss.Width(prefix)-lipgloss.Width(hint)-2)
	p.input.SetWidth(room)
	// The placeholder is said whole or in short, never cut mid-word.
	p.input.Placeholder = notePlaceholder
	if lipgloss.Width(notePlaceholder) > room {
		p.input.Placeholder = notePlaceholderShort
	}
	return prefix + p.input.View() + hint
}
