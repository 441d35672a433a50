package component

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Tabs are the tabs of a screen that shows several lists (a cluster's
// queues, tokens and pipelines): tab and shift+tab move between them.
// Panes, when set, are the tabs' self-loading lists (nil for a tab that
// is not one, such as a queue's settings): the tabs route to them.
type Tabs struct {
	C       *common.Common
	Names   []string
	Current int
	Panes   []Pane
}

// Pane is what a tab shows: a list on the list host, or a pane around
// one.
type Pane interface {
	Update(msg tea.Msg, top int) (bool, common.Reply)
	View(width, height int) string
	Capturing() bool
	Help() []key.Binding
	// Take takes in the pane's own load replies, and nothing else.
	Take(msg tea.Msg) (bool, common.Reply)
}

// Pane is the pane on show, nil for a tab without one.
func (t *Tabs) Pane() Pane {
	if t.Current < len(t.Panes) {
		return t.Panes[t.Current]
	}
	return nil
}

// KeyAction is the action a key takes on the pane on show, when it says
// (common.KeyActions).
func (t *Tabs) KeyAction(b key.Binding) (api.Action, bool) {
	if ka, ok := t.Pane().(common.KeyActions); ok {
		return ka.KeyAction(b)
	}
	return "", false
}

// Capturing reports that the pane on show has the keys (its filter).
func (t *Tabs) Capturing() bool { p := t.Pane(); return p != nil && p.Capturing() }

// Route gives msg to the pane on show (whose table starts at line top),
// and the replies of the panes behind it to them: every pane loads
// itself, on show or not. It reports whether a pane used msg.
func (t *Tabs) Route(msg tea.Msg, top int) (bool, common.Reply) {
	if p := t.Pane(); p != nil {
		if used, r := p.Update(msg, top); used {
			return true, r
		}
	}
	for i, p := range t.Panes {
		if i == t.Current || p == nil {
			continue
		}
		if used, r := p.Take(msg); used {
			return true, r
		}
	}
	return false, common.Reply{}
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

// Legend is what the pane on show says its columns mean, for the help.
func (t *Tabs) Legend() []string {
	if lg, ok := t.Pane().(Legended); ok {
		return lg.Legend()
	}
	return nil
}

// MoreHelp is the help-only keys of the pane on show.
func (t *Tabs) MoreHelp() []key.Binding {
	if m, ok := t.Pane().(MoreHelped); ok {
		return m.MoreHelp()
	}
	return nil
}
