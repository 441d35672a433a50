// Package termsafe makes text from the API safe to print on a terminal.
//
// A cluster description, a pause note or an error message comes from
// whoever can write to the organisation (or from whatever answers at the
// endpoint). Printed raw, an escape sequence in it could set the window
// title, write the clipboard (OSC 52), clear the screen, or ask the
// terminal to answer (ESC[6n) as if the person had typed; a bidi override
// could make one name read as another. Every string from the API passes
// through Text (or Lines) before it reaches a terminal.
//
// This package has no bubbletea in it: the command line uses it, and the
// screens are to use it too.
package termsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Text is s on one line: escape sequences removed, newlines and tabs made
// spaces, and control, invisible and direction-changing characters
// dropped.
func Text(s string) string {
	if s == "" {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		if drop(r) {
			return -1
		}
		return r
	}, strip(s))
}

// Lines is Text that keeps line breaks: for a message of several lines,
// such as an error that says how to configure the program.
func Lines(s string) string {
	if s == "" {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case drop(r):
			return -1
		}
		return r
	}, strip(s))
}

// strip removes escape sequences (CSI, OSC, DCS, APC, ...), whether they
// start with ESC or with their one-byte C1 form, and drops bytes that are
// not UTF-8 (a stray 0x9b is a CSI to a terminal in 8-bit mode).
func strip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return ansi.Strip(s)
}

// drop reports whether r is a character no API text should put on a
// terminal: C0 and C1 controls, the line and paragraph separators, the
// bidi marks and overrides (LRM, RLM, ALM, U+202A-U+202E,
// U+2066-U+2069), the zero-width characters and the byte-order mark.
func drop(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL and C1
		return true
	case r == '\u2028', r == '\u2029': // line and paragraph separators
		return true
	case r == '\u200E', r == '\u200F', r == '\u061C': // LRM, RLM, ALM
		return true
	case r >= '\u200B' && r <= '\u200D', r == '\u2060', r == '\uFEFF': // zero-width space, non-joiner, joiner; word joiner; BOM
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069': // bidi embeddings, overrides and isolates
		return true
	}
	return false
}

// EscapeJSON rewrites, in encoded JSON, the characters Text would drop
// that encoding/json leaves raw (C1 controls, bidi and zero-width
// characters, the BOM) as \uXXXX escapes: the data stays the same for a
// JSON reader, and the bytes reaching a terminal are inert. encoding/json
// already escapes C0 controls, so ESC never appears raw. Outside strings
// JSON is ASCII, so only string contents are touched.
func EscapeJSON(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x80 && drop(r) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			out = append(out, []byte(`\u`+hex4(r))...)
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&0xf], digits[r>>8&0xf], digits[r>>4&0xf], digits[r&0xf]})
}
