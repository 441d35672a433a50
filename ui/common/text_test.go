package common

import (
	"testing"
)

// The screens clean API text as the command line does: the marks that
// make a name read as another, and the invisible ones, never reach the
// terminal (issue 21, 13).
func TestCleanDropsInvisibleAndDirectionMarks(t *testing.T) {
	cases := map[string]string{
		"LRM":             "a\u200Eb",
		"RLM":             "a\u200Fb",
		"ALM":             "a\u061Cb",
		"zero-width":      "a\u200Bb",
		"zero-width join": "a\u200Db",
		"word joiner":     "a\u2060b",
		"BOM":             "\uFEFFab",
		"RLO":             "a\u202Eb",
		"isolate":         "a\u2066b\u2069",
		"OSC 52":          "a\x1b]52;c;aGVsbG8=\x07b",
	}
	for name, in := range cases {
		if got := Clean(in); got != "ab" {
			t.Errorf("%s: Clean(%q) = %q, want %q", name, in, got, "ab")
		}
	}
	if got := Clean("line one\nline\ttwo"); got != "line one line two" {
		t.Errorf("new lines and tabs: got %q", got)
	}
}

// DropMarks guards a rendered view: the marks go, the styles stay.
func TestDropMarksKeepsStyles(t *testing.T) {
	in := "\x1b[1m> Evil\u202Egnp.exe\x1b[0m \u200Bx\u2066y\u2069\uFEFF 🧑\u200D💻 ü"
	want := "\x1b[1m> Evilgnp.exe\x1b[0m xy 🧑💻 ü"
	if got := DropMarks(in); got != want {
		t.Fatalf("DropMarks = %q, want %q", got, want)
	}
	if s := "plain \x1b[31mred\x1b[0m"; DropMarks(s) != s {
		t.Fatal("text without marks changed")
	}
}
