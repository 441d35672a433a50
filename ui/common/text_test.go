package common

import (
	"testing"
	"time"
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

// A year-9999 dispatch_paused_at once showed as "paused in
// -9223372036s": time.Time.Sub saturates (issue 21, 13).
func TestAgoAndUntilFarFromNow(t *testing.T) {
	now := time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, got, want string
	}{
		{"year 9999 ahead", Ago(now, time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)), "in 7973y"},
		{"year 1 behind", Ago(now, time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)), "2025y ago"},
		{"until year 9999", Until(now, time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)), "in 7973y"},
		{"until year 1", Until(now, time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)), "2025y ago"},
		{"five minutes ago", Ago(now, now.Add(-5*time.Minute)), "5m ago"},
		{"a few seconds ahead", Ago(now, now.Add(10*time.Second)), "just now"},
		{"three minutes ahead", Ago(now, now.Add(3*time.Minute)), "in 3m"},
		{"three years ahead", Until(now, now.AddDate(3, 0, 0)), "in 3y"},
		{"ninety days ahead", Until(now, now.AddDate(0, 0, 90)), "in 90d"},
		{"ninety days ahead, read a moment later", Until(now.Add(time.Millisecond), now.AddDate(0, 0, 90)), "in 90d"},
		{"five months ahead", Until(now, now.AddDate(0, 5, 0)), "in 5mo"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
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
