package component

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Overlay is a small model drawn over the screens — the note prompt, a
// confirmation, the token dialog, the palette, the help — with its own
// keys and help. While one is open it takes every key; the root model only
// opens it, routes to it and draws it where it says.
type Overlay interface {
	// update handles a message; closed says the overlay is done. What it
	// asks of the root model as it closes is its answer (Answered), taken
	// in the same Update, so that it is done before the next key is read.
	Update(msg tea.Msg) (cmd tea.Cmd, closed bool)
	// view draws the overlay in width × height (the footer's line for
	// the note prompt).
	View(width, height int) string
	// help is the overlay's keys, as drawn in its own hint line.
	help() []key.Binding
	// place is where the root model draws it.
	Place() placement
	// typing reports a text input with the focus: messages that are not
	// keys (a cursor's blink) go to it rather than to the screen below.
	Typing() bool
}

type placement int

const (
	PlaceCenter placement = iota // a dialog in the middle of the area
	PlaceTop                     // the palette, under the header
	PlaceArea                    // the whole area: the help
	PlaceFooter                  // the footer's status line: the note prompt
)

// hint draws an overlay's keys as its hint line: "enter pauses · esc
// cancels".
func hint(bindings []key.Binding) string {
	parts := make([]string, 0, len(bindings))
	for _, b := range bindings {
		h := b.Help()
		parts = append(parts, h.Key+" "+h.Desc)
	}
	return strings.Join(parts, " · ")
}

// binding is a key of an overlay with its help.
func binding(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}
