package component

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Legended is a screen (or a pane, or a list) that says what its columns
// and signs mean: the help shows it under the screen's keys.
type Legended interface{ Legend() []string }

// MoreHelped is a screen (or a list) with keys that only the help lists,
// not the footer: a list's sort keys, say.
type MoreHelped interface{ MoreHelp() []key.Binding }

// helpOverlay is the help of the screen in front, over the whole area:
// its own keys first (with what its columns mean), then the keys that
// move and those that work everywhere. It scrolls; ?, esc or q closes it.
// Like k9s's help, which lists the view's own actions beside the general
// ones, not every key of the program.
type helpOverlay struct {
	c      *common.Common
	screen common.Screen
	offset int
	// page is the lines shown at once, and total the lines there are, as
	// last drawn: what scrolling is bounded by.
	page, total int
}

// NewHelpOverlay is the help of screen, the one in front.
func NewHelpOverlay(c *common.Common, screen common.Screen) *helpOverlay {
	return &helpOverlay{c: c, screen: screen}
}

func (h *helpOverlay) help() []key.Binding {
	k := h.c.Keys
	return []key.Binding{k.Help, k.Back}
}

func (h *helpOverlay) Place() placement { return PlaceArea }
func (h *helpOverlay) Typing() bool     { return false }

func (h *helpOverlay) Update(msg tea.Msg) (tea.Cmd, bool) {
	k := h.c.Keys
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(m, k.Help, k.Back, k.Quit):
			return nil, true
		case key.Matches(m, k.Up):
			h.scroll(-1)
		case key.Matches(m, k.Down):
			h.scroll(1)
		case key.Matches(m, k.PageUp):
			h.scroll(-h.page)
		case key.Matches(m, k.PageDown), m.String() == "space":
			h.scroll(h.page)
		case key.Matches(m, k.Top):
			h.offset = 0
		case key.Matches(m, k.Bottom):
			h.scroll(h.total)
		}
	case tea.MouseWheelMsg:
		if m.Button == tea.MouseWheelUp {
			h.scroll(-3)
		} else if m.Button == tea.MouseWheelDown {
			h.scroll(3)
		}
	}
	return nil, false
}

func (h *helpOverlay) scroll(by int) {
	h.offset = max(0, min(h.offset+by, h.total-h.page))
}

// keyColumn is the width of a help line's key.
const keyColumn = 11

// keyLines draws bindings as lines of at most width: the key, what it
// does and, for a change this console may not make, why not. What does
// not fit goes on under itself, past the key, a word at a time: a cut
// line lost the why ("new · read-…" at 80 columns, issue 29), a wrapped
// one split its words.
func (h *helpOverlay) keyLines(title string, bs []key.Binding, width int) []string {
	st := h.c.Styles
	lines := []string{st.Title.Render(common.Fit(title, width))}
	indent := strings.Repeat(" ", keyColumn)
	for _, b := range bs {
		bh := b.Help()
		keyStyle, descStyle, why := st.Key, st.Help, ""
		if h.c.KeyOff(b) {
			keyStyle, descStyle, why = st.KeyOff, st.KeyOff, "· read-only"
			if !h.c.ReadOnly {
				why = "· not with this token"
			}
		}
		for i, l := range wrapEntry(bh.Desc, why, max(1, width-keyColumn)) {
			lead := indent
			if i == 0 {
				lead = common.Fit(keyStyle.Render(bh.Key), keyColumn)
			}
			line := lead + descStyle.Render(l.desc)
			if l.why != "" {
				if l.desc != "" {
					line += " "
				}
				line += st.Muted.Render(l.why)
			}
			lines = append(lines, common.Fit(line, width))
		}
	}
	return lines
}

// entryLine is a line of a help entry: words of what the key does, then
// (on the last line) why it is off.
type entryLine struct{ desc, why string }

// wrapEntry puts desc's words, and then why as one piece, on lines of at
// most width columns; a word wider than a line is split.
func wrapEntry(desc, why string, width int) []entryLine {
	var words []string
	for _, w := range strings.Fields(desc) {
		for common.Width(w) > width {
			words = append(words, ansi.Cut(w, 0, width))
			w = ansi.Cut(w, width, common.Width(w))
		}
		words = append(words, w)
	}
	lines := []entryLine{{}}
	for _, w := range words {
		last := &lines[len(lines)-1]
		switch {
		case last.desc == "":
			last.desc = w
		case common.Width(last.desc)+1+common.Width(w) <= width:
			last.desc += " " + w
		default:
			lines = append(lines, entryLine{desc: w})
		}
	}
	if why != "" {
		last := &lines[len(lines)-1]
		if last.desc != "" && common.Width(last.desc)+1+common.Width(why) > width {
			lines = append(lines, entryLine{})
			last = &lines[len(lines)-1]
		}
		last.why = why
	}
	return lines
}

// screenKeys is the screen's own keys, each once, without the keys the
// other groups list.
func (h *helpOverlay) screenKeys(general []key.Binding) []key.Binding {
	var bs []key.Binding
	if h.screen != nil {
		bs = h.screen.Help()
		if m, ok := h.screen.(MoreHelped); ok {
			bs = append(bs, m.MoreHelp()...)
		}
	}
	seen := map[string]bool{}
	for _, g := range general {
		seen[g.Help().Key+"\x00"+g.Help().Desc] = true
	}
	var out []key.Binding
	for _, b := range bs {
		id := b.Help().Key + "\x00" + b.Help().Desc
		if b.Help().Key == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, b)
	}
	return out
}

// lines is the whole help for a width.
func (h *helpOverlay) lines(width int) []string {
	st := h.c.Styles
	k := h.c.Keys
	move := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Back}
	everywhere := []key.Binding{k.Palette, k.Refresh, k.Browse, k.CopyURL, k.CopyID, k.Help, k.Quit, k.ForceQuit}
	name := "Keys of this screen"
	if h.screen != nil {
		if c := common.Clean(h.screen.Crumb()); c != "" {
			name = "Keys of " + c
		}
	}
	own := h.screenKeys(append(append([]key.Binding{}, move...), everywhere...))
	// o opens or copies: where no browser can be opened (over SSH, the
	// demo) its URL is copied.
	everywhere[2] = key.NewBinding(key.WithKeys(k.Browse.Keys()...), key.WithHelp(k.Browse.Help().Key, "open, or copy its URL"))
	colWidth := min(48, (width-2)/2)
	sideBySide := colWidth >= 36
	if !sideBySide {
		colWidth = width
	}
	left := h.keyLines(name, own, colWidth)
	right := append(h.keyLines("Move", move, colWidth), "")
	right = append(right, h.keyLines("Everywhere", everywhere, colWidth)...)
	var out []string
	if sideBySide {
		// The screen's keys, and beside them how to move and what works
		// everywhere.
		for i := range max(len(left), len(right)) {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			out = append(out, common.Fit(l, colWidth)+"  "+r)
		}
	} else {
		out = append(append(left, ""), right...)
	}
	if lg, ok := h.screen.(Legended); ok {
		if legend := lg.Legend(); len(legend) > 0 {
			out = append(out, "", st.Title.Render("What the columns say"))
			wrap := lipgloss.NewStyle().Width(max(20, min(width, 100)))
			for _, l := range legend {
				out = append(out, strings.Split(st.Muted.Render(wrap.Render(l)), "\n")...)
			}
		}
	}
	return out
}

// View draws the help in width × height, from the line scrolled to; the
// last line says how to scroll when it does not fit.
func (h *helpOverlay) View(width, height int) string {
	inner := max(20, width-2)
	all := h.lines(inner)
	h.total = len(all)
	h.page = max(1, height-1)
	h.scroll(0)
	shown := all[h.offset:min(len(all), h.offset+h.page)]
	st := h.c.Styles
	hint := "? or esc closes this help"
	if h.total > h.page {
		hint = fmt.Sprintf("lines %d–%d of %d · ↑/↓ pgup/pgdn scroll · ", h.offset+1, h.offset+len(shown), h.total) + hint
	}
	shown = append(shown, st.Muted.Render(common.Fit(hint, inner)))
	for i := range shown {
		shown[i] = " " + shown[i]
	}
	return strings.Join(shown, "\n")
}
