package component

import (
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Issue 17, 9: at 80 columns the note's placeholder was cut to "why?
// (optional, s".
func TestNotePlaceholderIsNeverCut(t *testing.T) {
	c := testCommon()
	p, _ := NewNotePrompt(c, []common.QueueRef{{ClusterID: "c1", ClusterName: "Mobile", Queue: model.Queue{Key: "default"}}}, 80)
	for _, width := range []int{80, 200} {
		view := plain(p.View(width, 1))
		full, short := strings.Contains(view, notePlaceholder), strings.Contains(view, notePlaceholderShort+" ")
		if !full && !short {
			t.Errorf("at %d columns the placeholder is cut: %q", width, view)
		}
		if width == 200 && !full {
			t.Errorf("at 200 columns the placeholder is not whole: %q", view)
		}
	}
}
