package component

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/keymap"
)

// ScrollBy is how a page of lines that is not a list (a token's or an
// agent's detail) moves on the keys and the wheel that move a list: it
// calls scroll with the lines to move by (page for a page) and reports
// whether msg was one of them.
func ScrollBy(msg tea.Msg, k keymap.KeyMap, page int, scroll func(delta int)) bool {
	page = max(page, 1)
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			scroll(-3)
			return true
		case tea.MouseWheelDown:
			scroll(3)
			return true
		}
	case tea.KeyPressMsg:
		for _, m := range []struct {
			b     key.Binding
			delta int
		}{{k.Down, 1}, {k.Up, -1}, {k.PageDown, page}, {k.PageUp, -page}, {k.Bottom, 1 << 20}, {k.Top, -(1 << 20)}} {
			if key.Matches(msg, m.b) {
				scroll(m.delta)
				return true
			}
		}
	}
	return false
}
