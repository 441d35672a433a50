package termsafe

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// A log is written by whatever a build's steps print: every sequence
// that could drive the terminal must come out inert, and colours stay.
func TestLogLinesKeepColoursOnly(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"SGR colours survive", "\x1b[32mok\x1b[0m done", "\x1b[32mok\x1b[0m done\x1b[0m"},
		{"256 and true colour survive", "\x1b[38;5;208ma\x1b[38:2::1:2:3mb", "\x1b[38;5;208ma\x1b[38;2;1;2;3mb\x1b[0m"},
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
		{"a very long SGR is written short", "a\x1b[" + strings.Repeat("1;", 100) + "mb", "a\x1b[1mb\x1b[0m"},
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

// A colour sequence is never passed on as the build wrote it: it is
// written again with only harmless attributes, in at most maxPenParams
// numbers. 33 parameters (the probe's log line) panicked the renderer.
func TestLogLinesRewriteColourSequences(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"33 parameters", "\x1b[" + strings.Repeat(";", 32) + "1mX", "\x1b[0;1mX\x1b[0m"},
		{"33 colours", "\x1b[" + strings.Repeat("31;", 32) + "32mX", "\x1b[32mX\x1b[0m"},
		{"a hundred thousand", "\x1b[" + strings.Repeat("1;", 100000) + "mX", "\x1b[1mX\x1b[0m"},
		{"blink", "\x1b[5mX\x1b[6mY", "XY"},
		{"conceal", "\x1b[8mhidden\x1b[28m", "hidden"},
		{"blink and conceal among colours", "\x1b[1;5;8;31mX", "\x1b[1;31mX\x1b[0m"},
		{"fonts, frames, overline, superscript", "\x1b[10;11;20;26;51;52;53;73mX", "X"},
		{"the reset", "\x1b[mX\x1b[0mY", "\x1b[0mX\x1b[0mY\x1b[0m"},
		{"256 colours", "\x1b[38;5;208;48;5;17mX", "\x1b[38;5;208;48;5;17mX\x1b[0m"},
		{"RGB with ';'", "\x1b[38;2;1;2;3mX", "\x1b[38;2;1;2;3mX\x1b[0m"},
		{"RGB with ':'", "\x1b[38:2:1:2:3mX", "\x1b[38;2;1;2;3mX\x1b[0m"},
		{"RGB with a colour space", "\x1b[48:2::1:2:3mX", "\x1b[48;2;1;2;3mX\x1b[0m"},
		{"a colour out of range", "\x1b[38;2;300;0;0mX\x1b[38;5;256mY", "XY"},
		{"an underline colour is not read as attributes", "\x1b[58;5;8;1mX\x1b[58:2::5:8:6mY", "\x1b[1mXY\x1b[0m"},
		{"underline styles", "\x1b[4:3mX\x1b[4:0mY", "\x1b[4mX\x1b[24mY\x1b[0m"},
		{"a colour replaces the one before", "\x1b[31;32;1;38;5;9mX", "\x1b[1;38;5;9mX\x1b[0m"},
		{"an attribute twice counts once, the last", "\x1b[1;22;1mX", "\x1b[22;1mX\x1b[0m"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := LogLines([]byte(c.in))
			if len(lines) != 1 || lines[0].Text != c.want {
				t.Fatalf("got %q, want %q", lines, c.want)
			}
			checkLogText(t, lines[0].Text)
			render(lines)
		})
	}
}

// A carriage return starts the line again in the colours in force.
func TestLogLinesCarriageReturnKeepsTheColour(t *testing.T) {
	lines := LogLines([]byte("\x1b[32m10%\r50%\r\x1b[1m100%"))
	if want := "\x1b[32m\x1b[1m100%\x1b[0m"; len(lines) != 1 || lines[0].Text != want {
		t.Fatalf("got %q, want %q", lines, want)
	}
}

// A line of 10 MB comes whole, cut into LogLines of MaxLogLineRunes,
// each in the colours in force where it starts.
func TestLogLinesCutAHugeLine(t *testing.T) {
	const size = 10 << 20
	lines := LogLines([]byte("\x1b_bk;t=1780315200000\x07\x1b[31m" + strings.Repeat("x", size) + "\nnext\n"))
	if want := (size+MaxLogLineRunes-1)/MaxLogLineRunes + 1; len(lines) != want {
		t.Fatalf("got %d lines, want %d", len(lines), want)
	}
	total := 0
	for i, l := range lines[:len(lines)-1] {
		text, ok := strings.CutPrefix(l.Text, "\x1b[31m")
		text, ok2 := strings.CutSuffix(text, "\x1b[0m")
		if !ok || !ok2 || strings.Trim(text, "x") != "" || len(text) > MaxLogLineRunes {
			t.Fatalf("line %d is %.40q…", i, l.Text)
		}
		if l.At.IsZero() {
			t.Fatalf("line %d lost the line's timestamp", i)
		}
		total += len(text)
	}
	if total != size || lines[len(lines)-1].Text != "next" {
		t.Errorf("%d of %d characters shown, then %q", total, size, lines[len(lines)-1].Text)
	}
	// Cut where a character ends, not inside it.
	for _, l := range LogLines([]byte(strings.Repeat("é", 3*MaxLogLineRunes))) {
		if !utf8.ValidString(l.Text) || utf8.RuneCountInString(l.Text) != MaxLogLineRunes {
			t.Fatalf("a cut line of %d characters: %.40q", utf8.RuneCountInString(l.Text), l.Text)
		}
	}
}

// checkLogText fails unless the only sequences in text are SGR in the
// pen's form: known attributes, at most maxPenParams numbers.
func checkLogText(t *testing.T, text string) {
	t.Helper()
	if strings.ContainsAny(text, "\x07\x00\n\r\u009b\u009d\u0090\u009f") {
		t.Fatalf("a control survived: %q", text)
	}
	for _, part := range strings.Split(text, "\x1b")[1:] {
		params, ok := strings.CutPrefix(part, "[")
		end := strings.IndexByte(params, 'm')
		if !ok || end < 0 {
			t.Fatalf("a sequence other than SGR survived: %q", text)
		}
		nums := strings.Split(params[:end], ";")
		if len(nums) > maxPenParams {
			t.Fatalf("an SGR of %d numbers: %q", len(nums), text)
		}
		for i := 0; i < len(nums); i++ {
			n, err := strconv.Atoi(nums[i])
			switch {
			case err != nil:
				t.Fatalf("an SGR with %q: %q", nums[i], text)
			case n == 38 || n == 48:
				i += 2 // 5;n, or 2;r;g;b
				if nums[i-1] == "2" {
					i += 2
				}
			case n != 0 && !penAttributes[n] && !(n >= 30 && n <= 37 || n == 39 || n >= 90 && n <= 97 ||
				n >= 40 && n <= 47 || n == 49 || n >= 100 && n <= 107):
				t.Fatalf("attribute %d kept: %q", n, text)
			}
		}
	}
}

// render draws lines as the log view does: the viewport's width and cut
// functions, lipgloss, and the terminal renderer's styled string (which
// panicked on 33 parameters with x/ansi v0.11.9).
func render(lines []LogLine) {
	texts := make([]string, 0, len(lines))
	for _, l := range lines {
		_ = ansi.StringWidth(l.Text)
		_ = lipgloss.Width(l.Text)
		_ = ansi.Cut(l.Text, 3, 40)
		_ = ansi.Truncate(l.Text, 40, "…")
		_ = ansi.Wrap(l.Text, 40, "")
		texts = append(texts, l.Text)
	}
	text := lipgloss.NewStyle().Width(80).Render(strings.Join(texts, "\n"))
	scr := uv.NewScreenBuffer(80, 24)
	uv.NewStyledString(text).Draw(scr, uv.Rect(0, 0, 80, 24))
	_ = scr.Render()
}

// FuzzLog is the log view's path: bytes a build printed, the log
// cleaning, then the width, cut and wrap functions and the renderer the
// view draws with. No input may panic, and only the pen's SGR may come
// out.
func FuzzLog(f *testing.F) {
	f.Add([]byte("\x1b[31mred\x1b]52;c;x\x07\u009b2J\x1bP\x1b\\"))
	f.Add([]byte("\x1b[" + strings.Repeat(";", 32) + "1mX\n"))
	f.Add([]byte("\x1b[" + strings.Repeat("31;", 32) + "32mX\x1b[5;8mY\n"))
	f.Add([]byte("\x1b_bk;t=1780315200000\x07\x1b[38:2::1:2:3m\x1b[48;5;17mok\r\x1b[4:3mdone\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		lines := LogLines(b)
		render(lines)
		for _, l := range lines {
			checkLogText(t, l.Text)
		}
	})
}
