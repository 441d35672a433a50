package component

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/theme"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

func testCommon() *common.Common {
	return &common.Common{Area: &common.Area{Styles: theme.New(true), Width: 80, Height: 20}, Keys: keymap.Default(), Now: time.Now,
		AppCtx: context.Background(), Tasks: &common.Tasks{Label: map[int]string{}}}
}

// Issue 17, 15: the box to type the name in showed the name as a grey
// placeholder, so it looked filled.
func TestConfirmBoxStartsEmpty(t *testing.T) {
	d, _ := NewConfirm(testCommon(), common.AskConfirmMsg{Title: "Delete cluster Mobile?", Body: "It deletes the cluster.",
		Expect: "Mobile", Action: "deletes", OnConfirm: func() tea.Cmd { return nil }})
	view := plain(d.View(80, 20))
	for _, line := range strings.Split(view, "\n") {
		if strings.Contains(line, "> ") && strings.Contains(line, "Mobile") {
			t.Fatalf("the input shows the name before anything is typed: %q", line)
		}
	}
}

// Issue 17, 12: a 300-character cluster name pushed the dialog's input
// off the screen.
func TestConfirmWithALongNameKeepsItsInput(t *testing.T) {
	name := strings.Repeat("very-long-cluster-name-", 14)[:300]
	d, _ := NewConfirm(testCommon(), common.AskConfirmMsg{Title: "Delete cluster " + name + "?",
		Body:   "This deletes the cluster " + name + " and all of its queues (2 known), tokens and the agents' registrations. This cannot be undone.",
		Expect: name, Action: "deletes", OnConfirm: func() tea.Cmd { return nil }})
	for _, size := range [][2]int{{80, 20}, {200, 56}} {
		view := d.View(size[0], size[1])
		if h := lipgloss.Height(view); h > size[1] {
			t.Errorf("at %dx%d the dialog is %d lines high", size[0], size[1], h)
		}
		p := plain(view)
		if !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(p, "│", "")), " "), "This cannot be undone.") {
			t.Errorf("at %dx%d the body's end is lost:\n%s", size[0], size[1], p)
		}
		if !strings.Contains(p, "> ") || !strings.Contains(p, "esc cancels") {
			t.Errorf("at %dx%d the input or the keys are missing:\n%s", size[0], size[1], p)
		}
	}
}
