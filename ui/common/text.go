package common

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/termsafe"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// Clean makes a string from the API safe to draw: it is termsafe.Text,
// the same cleaning the command line uses, so escape sequences, control
// characters, bidi marks and overrides (LRM, RLM, ALM, U+202A-U+202E,
// U+2066-U+2069), zero-width characters and the BOM never reach the
// terminal, and text written by anyone in the organisation can neither
// drive the operator's terminal nor make one name read as another. New
// lines and tabs become spaces: every value is drawn on one line.
func Clean(s string) string { return termsafe.Text(s) }

// DropMarks removes from drawn text (which may hold styles) the
// characters that change how text reads without being seen: bidi marks,
// embeddings, overrides and isolates, zero-width characters, the BOM and
// the line and paragraph separators. It keeps escape sequences, so it can
// guard a whole rendered view, such as a form whose inputs hold values
// from the API, where Clean cannot reach.
func DropMarks(s string) string {
	if !strings.ContainsFunc(s, isMark) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isMark(r) {
			return -1
		}
		return r
	}, s)
}

func isMark(r rune) bool {
	switch {
	case r < '\u061C':
		return false
	case r == '\u061C', r >= '\u200B' && r <= '\u200F', r == '\u2028', r == '\u2029',
		r >= '\u202A' && r <= '\u202E', r == '\u2060', r >= '\u2066' && r <= '\u2069', r == '\uFEFF':
		return true
	}
	return false
}

// Emojize renders :shortcode: as its Unicode emoji where one exists
// (present.Emojize).
func Emojize(s string) string { return present.Emojize(s) }

// EmojiCell is a cluster's emoji for a narrow column (present.EmojiCell).
func EmojiCell(code string) string { return present.EmojiCell(code) }

// Fit truncates s (which may hold styles) to width cells and pads it to
// exactly width.
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if Width(s) > width {
		s = ansi.Truncate(s, width, "…")
	}
	if pad := width - Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// Clip truncates each line of s to width cells and keeps at most height
// lines, so a screen can never draw outside its area.
func Clip(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if height >= 0 && len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		if Width(l) > width {
			lines[i] = ansi.Truncate(l, width, "")
		}
	}
	return strings.Join(lines, "\n")
}

// Plural is "1 queue", "2 queues".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// WrapAfter breaks a long value (a URL, an ID) into lines, at spaces
// where it has some, of the width
// left after a label of indent cells, each line after the first indented
// to line up under the first: a URL cut at the window's edge lost its
// end (mid-UUID), and the end is what tells two URLs apart.
func WrapAfter(value string, indent, width int) string {
	room := width - indent
	if room < 10 || lipgloss.Width(value) <= room {
		return value
	}
	lines := strings.Split(ansi.Wrap(value, room, ""), "\n")
	return strings.Join(lines, "\n"+strings.Repeat(" ", indent))
}
