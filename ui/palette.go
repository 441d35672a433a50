package ui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"
)

// The command palette (:) runs a command or jumps to any cluster, queue
// or pipeline by part of its name. ↑/↓ walk the history of what was run;
// tab and shift+tab (or ctrl+n/ctrl+p) move through the matches.

type paletteItem struct {
	kind, label string
	run         func() tea.Cmd
}

type palette struct {
	c       *Common
	input   textinput.Model
	items   []paletteItem
	shown   []int
	cursor  int
	history *[]string // what was run, oldest first; kept by the root model
	histPos int       // len(history) when not walking it

	run, move, back, walk, closes key.Binding
}

// paletteChosen asks the root model to run what the palette picked.
type paletteChosen struct{ item paletteItem }

func newPalette(c *Common, items []paletteItem, history *[]string) (*palette, tea.Cmd) {
	in := textinput.New()
	in.Prompt = ":"
	in.Placeholder = "clusters, pipelines, org, quit, or a name"
	in.SetWidth(max(20, c.Width-10))
	p := &palette{c: c, input: in, items: items, history: history, histPos: len(*history),
		run:    binding("enter", "runs", "enter"),
		move:   binding("tab/shift+tab", "move", "tab", "ctrl+n"),
		back:   binding("", "", "shift+tab", "ctrl+p"),
		walk:   binding("↑/↓", "history", "up", "down"),
		closes: binding("esc", "closes", "esc"),
	}
	p.filter()
	return p, p.input.Focus()
}

func (p *palette) filter() {
	q := strings.TrimSpace(p.input.Value())
	p.shown = p.shown[:0]
	if q == "" {
		for i, it := range p.items {
			if it.kind == "command" {
				p.shown = append(p.shown, i)
			}
		}
	} else {
		labels := make([]string, len(p.items))
		for i, it := range p.items {
			labels[i] = it.label
		}
		for _, m := range fuzzy.Find(q, labels) {
			p.shown = append(p.shown, m.Index)
		}
		// A command typed in full comes first.
		sort.SliceStable(p.shown, func(i, j int) bool {
			return p.items[p.shown[i]].label == q && p.items[p.shown[j]].label != q
		})
	}
	p.cursor = 0
}

func (p *palette) help() []key.Binding { return []key.Binding{p.run, p.move, p.walk, p.closes} }
func (p *palette) place() placement    { return placeTop }
func (p *palette) typing() bool        { return true }

func (p *palette) update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return cmd, false
	}
	history := *p.history
	switch {
	case key.Matches(k, p.closes):
		return nil, true
	case key.Matches(k, p.run):
		if len(p.shown) == 0 {
			return flash(flashInfo, fmt.Sprintf("nothing matches %q", strings.TrimSpace(p.input.Value()))), true
		}
		if v := strings.TrimSpace(p.input.Value()); v != "" && (len(history) == 0 || history[len(history)-1] != v) {
			*p.history = append(history, v)
		}
		return p.c.post(paletteChosen{item: p.items[p.shown[p.cursor]]}), true
	case key.Matches(k, p.walk):
		if len(history) == 0 {
			return nil, false
		}
		if k.String() == "up" {
			p.histPos = max(0, p.histPos-1)
		} else {
			p.histPos = min(len(history), p.histPos+1)
		}
		if p.histPos == len(history) {
			p.input.SetValue("")
		} else {
			p.input.SetValue(history[p.histPos])
		}
		p.input.CursorEnd()
		p.filter()
		return nil, false
	case key.Matches(k, p.move):
		if len(p.shown) > 0 {
			p.cursor = (p.cursor + 1) % len(p.shown)
		}
		return nil, false
	case key.Matches(k, p.back):
		if len(p.shown) > 0 {
			p.cursor = (p.cursor + len(p.shown) - 1) % len(p.shown)
		}
		return nil, false
	}
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.filter()
	}
	return cmd, false
}

func (p *palette) view(width, height int) string {
	st := p.c.Styles
	w := min(90, max(30, width-4))
	lines := []string{p.input.View(), ""}
	room := max(1, height-6)
	for i, idx := range p.shown {
		if i >= room {
			lines = append(lines, st.Muted.Render(fmt.Sprintf("  … %d more", len(p.shown)-room)))
			break
		}
		it := p.items[idx]
		line := fit(st.Muted.Render(fmt.Sprintf("%-9s", it.kind))+" "+it.label, w-2)
		if i == p.cursor {
			line = st.Selected.Render("› " + ansiPlain(line))
		} else {
			line = "  " + line
		}
		lines = append(lines, line)
	}
	if len(p.shown) == 0 {
		lines = append(lines, st.Muted.Render("  nothing matches"))
	}
	if !p.c.org.Pipelines.Loaded {
		lines = append(lines, "", st.Muted.Render("  pipelines are loading; they will be searchable here"))
	}
	lines = append(lines, "", st.Muted.Render(hint(p.help())))
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

func ansiPlain(s string) string { return stripStyles(s, false) }
