package present

import (
	"regexp"
	"strings"

	"github.com/kyokomi/emoji/v2"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

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
	e := Emojize(termsafe.Text(code))
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
