// Package present is how the console says things that several screens
// say: cells of plain text with a style role, states, durations, labels.
// It draws nothing and needs no terminal: the list host (ui/component)
// cleans a cell's text once and styles it by its role, so a screen never
// hands the terminal a string it did not check.
package present

import "strings"

// Role is how a piece of a cell is styled; the host maps each to a style
// of the theme.
type Role uint8

const (
	Plain Role = iota
	Muted
	Bold
	Title
	// Running, Paused, Pending, Warning and Danger are states' colours:
	// running or passed, paused or blocked, waiting, cancelled or
	// stopping, failed.
	Running
	Paused
	Pending
	Warning
	Danger
	// Emoji is a :shortcode:, drawn as its Unicode emoji or as nothing.
	Emoji
	// Swatch is a hex colour, drawn as a block of it (an outline when it
	// is not a valid colour).
	Swatch
)

// Span is a piece of a cell in one role.
type Span struct {
	Text string
	Role Role
}

// Cell is what a column shows for an item: plain text in one or more
// roles ("main" then a muted " ★").
type Cell []Span

// Text is a cell of plain text.
func Text(s string) Cell { return Cell{{Text: s}} }

// As is a cell of text in a role.
func As(r Role, s string) Cell { return Cell{{Text: s, Role: r}} }

// And is the cell followed by text in a role.
func (c Cell) And(r Role, s string) Cell {
	return append(c[:len(c):len(c)], Span{Text: s, Role: r})
}

// Join is the cell followed by another.
func (c Cell) Join(d Cell) Cell { return append(c[:len(c):len(c)], d...) }

// String is the cell's text without its roles.
func (c Cell) String() string {
	var b strings.Builder
	for _, s := range c {
		b.WriteString(s.Text)
	}
	return b.String()
}
