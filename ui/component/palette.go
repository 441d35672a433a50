package component

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// The command palette (:) runs a command or jumps to any cluster, queue
// or pipeline by part of its name. ↑/↓ (or tab and shift+tab) move
// through the suggestions, as in any list; ctrl+p/ctrl+n walk the
// history of what was run, as a shell's do.

type PaletteItem struct {
	Kind, Label string
	Run         func() tea.Cmd
}

type Palette struct {
	c       *common.Common
	Input   textinput.Model
	Items   []PaletteItem
	Shown   []int
	Cursor  int
	history *[]string // what was run, oldest first; kept by the root model
	histPos int       // len(history) when not walking it
	// typedSeq numbers the texts typed, for the debounce of the server's
	// pipeline search.
	typedSeq int
	// typedAt is when the last key was typed: the pause waited for is
	// paced by the typing.
	typedAt time.Time
	// chosen is what enter picked, the palette's answer.
	chosen PaletteChosen

	run, move, back, walk, closes key.Binding
}

// PaletteChosen asks the root model to run what the palette picked.
type PaletteChosen struct{ Item PaletteItem }

// Answer is what the palette picked as it closed, nil when nothing was.
func (p *Palette) Answer() tea.Msg {
	if p.chosen.Item.Run == nil {
		return nil
	}
	return p.chosen
}

func NewPalette(c *common.Common, items []PaletteItem, history *[]string) (*Palette, tea.Cmd) {
	in := textinput.New()
	in.Prompt = ":"
	in.Placeholder = "clusters, pipelines, org, quit, or a name"
	in.SetWidth(max(20, c.Width-10))
	p := &Palette{c: c, Input: in, Items: items, history: history, histPos: len(*history),
		run:    binding("enter", "runs", "enter"),
		move:   binding("↑/↓", "move", "down", "tab"),
		back:   binding("", "", "up", "shift+tab"),
		walk:   binding("ctrl+p/ctrl+n", "history", "ctrl+p", "ctrl+n"),
		closes: binding("esc", "closes", "esc"),
	}
	p.Filter()
	return p, p.Input.Focus()
}

func (p *Palette) Filter() {
	q := strings.TrimSpace(p.Input.Value())
	p.Shown = p.Shown[:0]
	if q == "" {
		for i, it := range p.Items {
			if it.Kind == "command" {
				p.Shown = append(p.Shown, i)
			}
		}
	} else {
		// The list filter's matcher, best first; a command typed in full
		// comes first of all.
		scores := map[int]int{}
		for i, it := range p.Items {
			m, ok := matchText(q, it.Label)
			if !ok {
				continue
			}
			if it.Label == q {
				m.score += 10000
			}
			scores[i] = m.score
			p.Shown = append(p.Shown, i)
		}
		sort.SliceStable(p.Shown, func(i, j int) bool { return scores[p.Shown[i]] > scores[p.Shown[j]] })
	}
	p.Cursor = 0
}

func (p *Palette) help() []key.Binding { return []key.Binding{p.run, p.move, p.walk, p.closes} }
func (p *Palette) Place() placement    { return PlaceTop }
func (p *Palette) Typing() bool        { return true }

// paletteSettled says typing paused on text.
type paletteSettled struct {
	seq  int
	text string
}

// searchPipelines finds pipelines the way the pipelines screen does:
// those loaded or in the index match at once; once typing pauses (paced
// by the typing, TypingPause), the server is asked too (unless every
// pipeline is known), and its answer joins the items when it arrives (the
// root model remakes them).
func (p *Palette) searchPipelines() tea.Cmd {
	p.typedSeq++
	now := p.c.Clock.Now()
	wait := TypingPause(p.typedAt, now)
	p.typedAt = now
	text := strings.TrimSpace(p.Input.Value())
	if len([]rune(text)) < 2 || p.typingCommand(text) || !p.c.Org.Pipelines.NeedsSearch(text, p.pipelinesShown()) {
		return nil
	}
	seq := p.typedSeq
	return p.c.Tick(wait, func(time.Time) tea.Msg { return paletteSettled{seq: seq, text: text} })
}

// typingCommand reports whether text is the start of a command's name
// (":pip" on the way to ":pipelines"): not worth asking the API about.
func (p *Palette) typingCommand(text string) bool {
	for _, it := range p.Items {
		if it.Kind == "command" && strings.HasPrefix(it.Label, text) {
			return true
		}
	}
	return false
}

// pipelinesShown is how many pipelines the typed text matches.
func (p *Palette) pipelinesShown() int {
	n := 0
	for _, i := range p.Shown {
		if p.Items[i].Kind == "pipeline" {
			n++
		}
	}
	return n
}

func (p *Palette) Update(msg tea.Msg) (tea.Cmd, bool) {
	if m, ok := msg.(paletteSettled); ok {
		if m.seq != p.typedSeq || m.text != strings.TrimSpace(p.Input.Value()) || !p.c.Org.Pipelines.NeedsSearch(m.text, p.pipelinesShown()) {
			return nil, false
		}
		return p.c.SearchPipelines(m.text), false
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var cmd tea.Cmd
		p.Input, cmd = p.Input.Update(msg)
		return cmd, false
	}
	history := *p.history
	switch {
	case key.Matches(k, p.closes):
		return nil, true
	case key.Matches(k, p.run):
		if len(p.Shown) == 0 {
			return common.Flash(common.FlashInfo, fmt.Sprintf("nothing matches %q", strings.TrimSpace(p.Input.Value()))), true
		}
		if v := strings.TrimSpace(p.Input.Value()); v != "" && (len(history) == 0 || history[len(history)-1] != v) {
			*p.history = append(history, v)
		}
		// Answered as a value (Answered): what was picked runs before
		// the next key is read.
		p.chosen = PaletteChosen{Item: p.Items[p.Shown[p.Cursor]]}
		return nil, true
	case key.Matches(k, p.walk):
		if len(history) == 0 {
			return nil, false
		}
		if k.String() == "ctrl+p" {
			p.histPos = max(0, p.histPos-1)
		} else {
			p.histPos = min(len(history), p.histPos+1)
		}
		if p.histPos == len(history) {
			p.Input.SetValue("")
		} else {
			p.Input.SetValue(history[p.histPos])
		}
		p.Input.CursorEnd()
		p.Filter()
		return nil, false
	case key.Matches(k, p.move):
		if len(p.Shown) > 0 {
			p.Cursor = (p.Cursor + 1) % len(p.Shown)
		}
		return nil, false
	case key.Matches(k, p.back):
		if len(p.Shown) > 0 {
			p.Cursor = (p.Cursor + len(p.Shown) - 1) % len(p.Shown)
		}
		return nil, false
	}
	before := p.Input.Value()
	var cmd tea.Cmd
	p.Input, cmd = p.Input.Update(msg)
	if p.Input.Value() != before {
		p.Filter()
		cmd = tea.Batch(cmd, p.searchPipelines())
	}
	return cmd, false
}

func (p *Palette) View(width, height int) string {
	st := p.c.Styles
	w := min(90, max(30, width-4))
	lines := []string{p.Input.View(), ""}
	room := max(1, height-6)
	// The suggestions on show follow the cursor (↑ from the first goes
	// to the last).
	first := max(0, p.Cursor-room+1)
	for i, idx := range p.Shown {
		if i < first {
			continue
		}
		if i >= first+room {
			lines = append(lines, st.Muted.Render(fmt.Sprintf("  … %d more", len(p.Shown)-first-room)))
			break
		}
		it := p.Items[idx]
		line := common.Fit(st.Muted.Render(fmt.Sprintf("%-9s", it.Kind))+" "+it.Label, w-2)
		if i == p.Cursor {
			line = st.Selected.Render("› " + ansiPlain(line))
		} else {
			line = "  " + line
		}
		lines = append(lines, line)
	}
	if len(p.Shown) == 0 {
		lines = append(lines, st.Muted.Render("  nothing matches"))
	}
	if !p.c.Org.Pipelines.Loaded {
		lines = append(lines, "", st.Muted.Render("  pipelines: those loaded match at once; the API is asked for the rest as you type"))
	}
	lines = append(lines, "", st.Muted.Render(hint(p.help())))
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

func ansiPlain(s string) string { return stripStyles(s, false) }
