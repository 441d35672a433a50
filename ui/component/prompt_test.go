package component

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Issue 17, 9: at 80 columns the note's hint was cut to "why?
// (optional, s". The prompt is a dialog now: its label is whole at 80
// and at 200 columns.
func TestNotePlaceholderIsNeverCut(t *testing.T) {
	c := testCommon()
	p, _ := NewNotePrompt(c, []common.QueueRef{{ClusterID: "c1", ClusterName: "Mobile", Queue: model.Queue{Key: "default"}}}, "", 80)
	const label = "Note (why? shown on the queue and its builds; optional):"
	for _, width := range []int{80, 200} {
		view := plain(p.View(width, 24))
		if !strings.Contains(view, label) {
			t.Errorf("at %d columns the note's label is cut: %q", width, view)
		}
	}
}

// The prompt's answer is a value the root model takes in the Update of
// the enter that closed it, not a message to wait for: esc answers
// nothing.
func TestNotePromptAnswersThePauseAsAValue(t *testing.T) {
	targets := []common.QueueRef{{ClusterID: "c1", ClusterName: "Mobile", Queue: model.Queue{ID: "q1", Key: "default"}}}
	p, _ := NewNotePrompt(testCommon(), targets, "", 80)
	for _, r := range " INC-9 " {
		p.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	cmd, closed := p.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	got, ok := p.Answer().(PauseNoted)
	if !closed || cmd != nil || !ok || got.Note != "INC-9" || len(got.Targets) != 1 || got.Targets[0].Queue.ID != "q1" {
		t.Fatalf("enter: closed %v, cmd %v, answer %#v", closed, cmd != nil, p.Answer())
	}
	p, _ = NewNotePrompt(testCommon(), targets, "", 80)
	if _, closed := p.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); !closed || p.Answer() != nil {
		t.Errorf("esc: closed %v, answer %#v", closed, p.Answer())
	}
}
