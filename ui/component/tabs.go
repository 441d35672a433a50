package component

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Tabs are the tabs of a screen that shows several lists (a cluster's
// queues, tokens and pipelines): tab and shift+tab move between them.
type Tabs struct {
	C       *common.Common
	Names   []string
	Current int
}

// Key moves to the next or previous tab; it reports whether it did.
func (t *Tabs) Key(msg tea.KeyPressMsg) bool {
	n := len(t.Names)
	switch {
	case key.Matches(msg, t.C.Keys.NextTab):
		t.Current = (t.Current + 1) % n
	case key.Matches(msg, t.C.Keys.PrevTab):
		t.Current = (t.Current + n - 1) % n
	default:
		return false
	}
	return true
}

// View draws the tab line; label gives each tab's text (with its count).
func (t *Tabs) View(label func(i int, name string) string) string {
	st := t.C.Styles
	parts := make([]string, len(t.Names))
	for i, name := range t.Names {
		if i == t.Current {
			parts[i] = st.TabOn.Render(label(i, name))
		} else {
			parts[i] = st.Tab.Render(label(i, name))
		}
	}
	return strings.Join(parts, " ")
}
