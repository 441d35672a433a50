package present

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kyokomi/emoji/v2"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

var shortcode = regexp.MustCompile(`:[a-z0-9_+\-]+:`)

// Emojize renders :shortcode: as its Unicode emoji where one exists.
// Buildkite's own emoji (:docker:, :pipeline:, :eslint: …) are images on
// the web with no Unicode form: where the label has words of its own
// (":docker: Build") they are left out, being only decoration; a label
// that is nothing else (":docker:") keeps them as text, so that it is not
// drawn empty (EmojiLabel draws them muted). A code glued to a word
// ("test:unit:ci", an npm script) is no emoji: it stays as it is.
func Emojize(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	codes := emoji.CodeMap()
	out := shortcode.ReplaceAllStringFunc(s, func(code string) string {
		if e, ok := codes[code]; ok {
			return e
		}
		return code
	})
	images := imageCodes(out)
	if len(images) == 0 {
		return out
	}
	var without strings.Builder
	last := 0
	for _, m := range images {
		without.WriteString(out[last:m[0]])
		last = m[1]
	}
	without.WriteString(out[last:])
	if !strings.ContainsFunc(without.String(), func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return out
	}
	return strings.Join(strings.Fields(without.String()), " ")
}

// imageCodes are where s has shortcodes with no Unicode form that stand
// apart from words (no letter or digit right before or after them, as in
// ":docker::eslint: Lint"): Buildkite's images.
func imageCodes(s string) [][]int {
	codes := emoji.CodeMap()
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	var out [][]int
	for _, m := range shortcode.FindAllStringIndex(s, -1) {
		if _, ok := codes[s[m[0]:m[1]]]; ok {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(s[:m[0]])
		after, _ := utf8.DecodeRuneInString(s[m[1]:])
		if (m[0] == 0 || !word(before)) && (m[1] == len(s) || !word(after)) {
			out = append(out, m)
		}
	}
	return out
}

// EmojiLabel is a label with its emoji as a cell in role r: a label that
// is nothing but Buildkite's image-only shortcodes (":docker:", a step
// that has no other name) has them muted, so that they are not read as
// the name's words; with words of their own they are left out (Emojize).
func EmojiLabel(r Role, s string) Cell {
	out := Emojize(s)
	images := imageCodes(out)
	if len(images) == 0 {
		return As(r, out)
	}
	var c Cell
	last := 0
	for _, m := range images {
		if m[0] > last {
			c = append(c, Span{Text: out[last:m[0]], Role: r})
		}
		c = append(c, Span{Text: out[m[0]:m[1]], Role: Muted})
		last = m[1]
	}
	if last < len(out) {
		c = append(c, Span{Text: out[last:], Role: r})
	}
	return c
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
