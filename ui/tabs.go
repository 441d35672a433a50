package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// tabs are the tabs of a screen that shows several lists (a cluster's
// queues, tokens and pipelines): tab and shift+tab move between them.
type tabs struct {
	c       *Common
	names   []string
	current int
}

// key moves to the next or previous tab; it reports whether it did.
func (t *tabs) key(msg tea.KeyPressMsg) bool {
	n := len(t.names)
	switch {
	case key.Matches(msg, t.c.Keys.NextTab):
		t.current = (t.current + 1) % n
	case key.Matches(msg, t.c.Keys.PrevTab):
		t.current = (t.current + n - 1) % n
	default:
		return false
	}
	return true
}

// view draws the tab line; label gives each tab's text (with its count).
func (t *tabs) view(label func(i int, name string) string) string {
	st := t.c.Styles
	parts := make([]string, len(t.names))
	for i, name := range t.names {
		if i == t.current {
			parts[i] = st.TabOn.Render(label(i, name))
		} else {
			parts[i] = st.Tab.Render(label(i, name))
		}
	}
	return strings.Join(parts, " ")
}
