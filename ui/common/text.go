package common

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kyokomi/emoji/v2"
)

// Clean makes a string from the API safe to draw: escape sequences and
// control characters are removed, so text written by anyone in the
// organisation can never drive the operator's terminal. New lines and
// tabs become spaces: every value is drawn on one line.
func Clean(s string) string {
	if s == "" {
		return s
	}
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), r == '\u2028', r == '\u2029',
			r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069': // bidi overrides
			return -1
		}
		return r
	}, s)
}

var shortcode = regexp.MustCompile(`:[a-z0-9_+\-]+:`)

// Emojize renders :shortcode: as its Unicode emoji where one exists;
// Buildkite's own emoji (:buildkite:, :terraform: ...) have none and stay
// as they are.
func Emojize(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	codes := emoji.CodeMap()
	return shortcode.ReplaceAllStringFunc(s, func(code string) string {
		if e, ok := codes[code]; ok {
			return e
		}
		return code
	})
}

// EmojiCell is a cluster's emoji for a narrow column: the Unicode emoji,
// or nothing when the shortcode has none.
func EmojiCell(code string) string {
	e := Emojize(Clean(code))
	if e == code || strings.HasPrefix(e, ":") {
		return ""
	}
	// Terminals disagree on the width of joined emoji (🧑‍💻 is one glyph
	// in some, three in others); the first part keeps columns aligned.
	if i := strings.IndexRune(e, '\u200d'); i > 0 {
		e = e[:i]
	}
	return e
}

// Ago says how long Ago t was, briefly: "just now", "5m Ago", "2h Ago".
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + span(-d)
	case d < 45*time.Second:
		return "just now"
	default:
		return span(d) + " ago"
	}
}

// Until says how long until t, or how long Ago it passed.
func Until(now, t time.Time) string {
	if t.Before(now) {
		return Ago(now, t)
	}
	return "in " + span(t.Sub(now))
}

func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d < 730*24*time.Hour:
		return fmt.Sprintf("%dmo", int(d.Hours()/24/30))
	default:
		return fmt.Sprintf("%dy", int(d.Hours()/24/365))
	}
}

// Fit truncates s (which may hold styles) to width cells and pads it to
// exactly width.
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) > width {
		s = ansi.Truncate(s, width, "…")
	}
	if pad := width - lipgloss.Width(s); pad > 0 {
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
		if lipgloss.Width(l) > width {
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

// upsert replaces the item of list that same picks out, or appends item;
// it reports whether item is new.
func upsert[T any](list []T, item T, same func(T) bool) ([]T, bool) {
	for i := range list {
		if same(list[i]) {
			list[i] = item
			return list, false
		}
	}
	return append(list, item), true
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
