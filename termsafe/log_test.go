package termsafe

import (
	"strings"
	"testing"
	"time"
)

// A log is written by whatever a build's steps print: every sequence
// that could drive the terminal must come out inert, and colours stay.
func TestLogLinesKeepColoursOnly(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"SGR colours survive", "\x1b[32mok\x1b[0m done", "\x1b[32mok\x1b[0m done\x1b[0m"},
		{"256 and true colour survive", "\x1b[38;5;208ma\x1b[38:2::1:2:3mb", "\x1b[38;5;208ma\x1b[38:2::1:2:3mb\x1b[0m"},
		{"OSC 52 writes no clipboard", "a\x1b]52;c;ZWNobyBwd25lZA==\x07b", "ab"},
		{"OSC 52 ended by ST", "a\x1b]52;c;ZWNobw==\x1b\\b", "ab"},
		{"a title is not set", "a\x1b]0;pwned\x07b\x1b]2;x\x1b\\c", "abc"},
		{"a hyperlink is dropped", "\x1b]8;;http://evil\x07click\x1b]8;;\x07", "click"},
		{"clear screen and cursor moves go", "a\x1b[2J\x1b[H\x1b[3;4Hb\x1b[6n", "ab"},
		{"a CSI that looks like SGR but is private", "a\x1b[?25lb\x1b[>4;2m", "ab"},
		{"DCS is dropped with its body", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"SOS and PM are dropped", "a\x1bXhidden\x1b\\b\x1b^pm\x07c", "abc"},
		{"C1 CSI clear screen", "a\u009b2Jb", "ab"},
		{"C1 OSC title", "a\u009d0;pwned\u009cb", "ab"},
		{"C1 DCS", "a\u0090q data\u009cb", "ab"},
		{"a raw 8-bit CSI byte is not UTF-8", "a\x9b2Jb", "a\uFFFD2Jb"},
		{"ESC c resets nothing", "a\x1bcb", "ab"},
		{"other controls go", "a\x07\x08\x00b\x7f", "ab"},
		{"bidi overrides go", "a\u202eb\u2066c", "abc"},
		{"a carriage return keeps the last state", "10%\r50%\r100%", "100%"},
		{"tabs become spaces", "a\tb", "a    b"},
		{"a very long SGR is dropped", "a\x1b[" + strings.Repeat("1;", 100) + "mb", "ab"},
		{"an unfinished sequence at the end", "a\x1b]52;c;abc", "a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := LogLines([]byte(c.in))
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1: %q", len(lines), lines)
			}
			if lines[0].Text != c.want {
				t.Errorf("got %q, want %q", lines[0].Text, c.want)
			}
			// Whatever the input, the only escapes left are SGR.
			for _, part := range strings.Split(lines[0].Text, "\x1b")[1:] {
				if !strings.HasPrefix(part, "[") || !strings.Contains(part, "m") {
					t.Errorf("a sequence other than SGR survived: %q", lines[0].Text)
				}
			}
		})
	}
}

func TestLogLinesReadTheAgentsTimestamps(t *testing.T) {
	log := "\x1b_bk;t=1780315200000\x07~~~ Preparing\n\x1b_bk;t=1780315202000\x07\x1b[32mok\x1b[0m\nno stamp\n"
	lines := LogLines([]byte(log))
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3", len(lines))
	}
	want := time.UnixMilli(1780315200000).UTC()
	if !lines[0].At.Equal(want) || lines[0].Text != "~~~ Preparing" {
		t.Errorf("line 1 = %+v, want %v and the text without its stamp", lines[0], want)
	}
	if !lines[1].At.Equal(want.Add(2*time.Second)) || lines[1].Text != "\x1b[32mok\x1b[0m\x1b[0m" {
		t.Errorf("line 2 = %+v", lines[1])
	}
	if !lines[2].At.IsZero() || lines[2].Text != "no stamp" {
		t.Errorf("line 3 = %+v", lines[2])
	}
	if got := LogLines(nil); got != nil {
		t.Errorf("an empty log has lines: %q", got)
	}
}

func FuzzLogLines(f *testing.F) {
	f.Add([]byte("\x1b[31mred\x1b]52;c;x\x07\u009b2J\x1bP\x1b\\"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, l := range LogLines(b) {
			if strings.ContainsAny(l.Text, "\x07\x00\n\r\u009b\u009d\u0090\u009f") {
				t.Fatalf("a control survived: %q", l.Text)
			}
			for _, part := range strings.Split(l.Text, "\x1b")[1:] {
				params, ok := strings.CutPrefix(part, "[")
				end := strings.IndexByte(params, 'm')
				if !ok || end < 0 || !sgrParams(params[:end]) {
					t.Fatalf("a sequence other than SGR survived: %q", l.Text)
				}
			}
		}
	})
}
