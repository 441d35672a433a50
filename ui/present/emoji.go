package present

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/kyokomi/emoji/v2"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

var shortcode = regexp.MustCompile(`:[a-z0-9_+\-]+:`)

// Emojize renders :shortcode: as its Unicode emoji where one exists.
// Buildkite's own emoji (:docker:, :pipeline:, :eslint: …) are images on
// the web with no Unicode form: where the label has words of its own
// (":docker: Build") they are left out, being only decoration; a label
// that is nothing else (":docker:") keeps them as text, so that it is not
// drawn empty.
func Emojize(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	codes := emoji.CodeMap()
	var unknown bool
	out := shortcode.ReplaceAllStringFunc(s, func(code string) string {
		if e, ok := codes[code]; ok {
			return e
		}
		unknown = true
		return code
	})
	if !unknown {
		return out
	}
	without := shortcode.ReplaceAllStringFunc(out, func(code string) string {
		if _, ok := codes[code]; ok {
			return code
		}
		return ""
	})
	if !strings.ContainsFunc(without, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return out
	}
	return strings.Join(strings.Fields(without), " ")
}

// EmojiCell is a cluster's emoji for a narrow column: the Unicode emoji,
// or nothing when the shortcode has none. A joined emoji (🧑‍💻: 🧑, a
// zero-width joiner, 💻) is kept whole: it is one grapheme two columns
// wide, as the table measures it, and cutting it at the joiner drew a
// different emoji.
func EmojiCell(code string) string {
	e := Emojize(termsafe.Text(code))
	if e == code || strings.HasPrefix(e, ":") {
		return ""
	}
	return e
}
