package component

import (
	"strings"
	"testing"

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
