package termsafe

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/ansi/parser"
)

// crashing are the inputs of the probe that ended the console: a
// sequence of 33 parameters (32 separators) typed, pasted, in a DCS, as
// an SGR mouse report, and as a CSI … ~ key.
var crashing = map[string]string{
	"typed":            "\x1b[" + strings.Repeat(";", 32) + "1m",
	"pasted":           "\x1b[200~\x1b[" + strings.Repeat(";", 32) + "1m\x1b[201~",
	"DCS":              "\x1bP" + strings.Repeat(";", 32) + "1q\x1b\\",
	"mouse SGR":        "\x1b[<" + strings.Repeat(";", 32) + "1M",
	"CSI ~":            "\x1b[" + strings.Repeat(";", 32) + "1~",
	"colons":           "\x1b[" + strings.Repeat(":", 40) + "1m",
	"C1 CSI":           "\x9b" + strings.Repeat(";", 32) + "1m",
	"C1 DCS":           "\x90" + strings.Repeat(";", 32) + "1q\x1b\\",
	"broken UTF-8":     "\xc0\x9b" + strings.Repeat(";", 32) + "1m",
	"after ESC ESC":    "\x1b\x1b[" + strings.Repeat(";", 32) + "1m",
	"after a string":   "\x1b]0;title\x9c\x9b" + strings.Repeat(";", 32) + "1m",
	"ESC intermediate": "\x1b#[" + strings.Repeat(";", 32) + "1m",
}

func guarded(t testing.TB, in string) string {
	t.Helper()
	out, err := io.ReadAll(NewInputGuard(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// tooManyParams returns the first CSI or DCS of b, as x/ansi's decoder
// splits b into sequences, with more parameters than the decoders hold:
// x/ansi's parameter array has parser.MaxParamsSize slots (v0.11.9
// indexed past them from the MaxParamsSize-th separator on), and
// ultraviolet's DCS decoder 16.
func tooManyParams(b []byte) []byte {
	var state byte
	for len(b) > 0 {
		seq, _, n, next := ansi.DecodeSequence(b, state, nil)
		if n == 0 {
			break
		}
		if state == ansi.NormalState {
			if isDCS(seq) && separators(seq) >= MaxInputDCSParams || separators(seq) >= parser.MaxParamsSize {
				return seq
			}
		}
		state, b = next, b[n:]
	}
	return nil
}

func isDCS(seq []byte) bool {
	i := 0
	if len(seq) > 0 && seq[0] == ansi.ESC {
		for i = 1; i < len(seq) && seq[i] >= 0x20 && seq[i] <= 0x2f; i++ {
		}
		return i < len(seq) && seq[i] == 'P'
	}
	return len(seq) > 0 && seq[0] == ansi.DCS
}

// maxSeparators is the most parameter separators any CSI or DCS of b has.
func maxSeparators(b []byte) int {
	most := 0
	var state byte
	for len(b) > 0 {
		seq, _, n, next := ansi.DecodeSequence(b, state, nil)
		if n == 0 {
			break
		}
		if state == ansi.NormalState {
			most = max(most, separators(seq))
		}
		state, b = next, b[n:]
	}
	return most
}

// separators counts the separators of a CSI or DCS sequence's parameters.
func separators(seq []byte) int {
	var rest []byte
	switch {
	case len(seq) > 0 && seq[0] == ansi.ESC:
		// ESC, any intermediates, then [ or P.
		i := 1
		for i < len(seq) && seq[i] >= 0x20 && seq[i] <= 0x2f {
			i++
		}
		if i == len(seq) || seq[i] != '[' && seq[i] != 'P' {
			return 0
		}
		rest = seq[i+1:]
	case len(seq) > 0 && (seq[0] == ansi.CSI || seq[0] == ansi.DCS):
		rest = seq[1:]
	default:
		return 0
	}
	n := 0
	for _, c := range rest {
		if c < 0x30 || c > 0x3f {
			break
		}
		if c == ';' || c == ':' {
			n++
		}
	}
	return n
}

// decodeAsBubbleteaDoes runs input through the decoding bubbletea v2's
// input reader (ultraviolet's) does: x/ansi's sequence decoder with a
// parser over every byte, then ultraviolet's event decoder.
func decodeAsBubbleteaDoes(b []byte) (events int) {
	p := ansi.NewParser()
	var state byte
	for rest := b; len(rest) > 0; {
		_, _, n, next := ansi.DecodeSequence(rest, state, p)
		if n == 0 {
			break
		}
		if p.Command() == '_' {
			_, _ = p.Param(0, 0)
			_, _ = p.Param(3, 0)
		}
		state, rest = next, rest[n:]
	}
	var d uv.EventDecoder
	for rest := b; len(rest) > 0; {
		n, _ := d.Decode(rest)
		if n <= 0 {
			break
		}
		rest = rest[n:]
		events++
	}
	return events
}

// keyPresses is the text of the key presses ultraviolet's event decoder
// reads in b.
func keyPresses(b []byte) string {
	var keys strings.Builder
	var d uv.EventDecoder
	for len(b) > 0 {
		n, ev := d.Decode(b)
		if n <= 0 {
			break
		}
		if k, ok := ev.(uv.KeyPressEvent); ok {
			keys.WriteString(k.String())
		}
		b = b[n:]
	}
	return keys.String()
}

func TestInputGuardCutsWhatTheDecoderCannotHold(t *testing.T) {
	for name, in := range crashing {
		t.Run(name, func(t *testing.T) {
			if got := maxSeparators([]byte(in)); got < parser.MaxParamsSize {
				t.Fatalf("the probe's input has only %d separators: not the crash", got)
			}
			out := guarded(t, in)
			if seq := tooManyParams([]byte(out)); seq != nil {
				t.Errorf("a sequence with %d separators passed: %q", separators(seq), seq)
			}
			decodeAsBubbleteaDoes([]byte(out))
			// No byte of the sequence reaches the console as a key: it
			// reads as the same sequence with two parameters does.
			// (Ultraviolet reads ESC # [ as alt+# and typed text, however
			// long; only x/ansi's decoder takes it for a CSI.)
			if name == "ESC intermediate" {
				return
			}
			short := regexp.MustCompile(`[;:]{3,}`).ReplaceAllString(in, ";;")
			if keys, want := keyPresses([]byte(out+"x")), keyPresses([]byte(short+"x")); keys != want {
				t.Errorf("the sequence typed %q, not %q", keys, want)
			}
			// The sequence still ends where it did: what follows it is
			// read as the key it is.
			if out := guarded(t, in+"q"); !strings.HasSuffix(out, "q") {
				t.Errorf("the key after the sequence was lost: %q", out)
			}
		})
	}
}

// The guard drops bytes of a sequence that is too long, and nothing else.
func TestInputGuardPassesKeysMousePastesAndText(t *testing.T) {
	keep := []string{
		"hello, world q",
		"\x1b",                             // Esc
		"\x1b[A\x1b[1;5C\x1b[3~\x1b[15;2~", // arrows, ctrl+right, delete, shift+F5
		"\x1bOP\x1b[Z",                     // F1, shift+tab
		"\x1b[<0;10;5M\x1b[<0;10;5m\x1b[<64;3;4M", // SGR mouse press, release, wheel
		"\x1b[M !!", // X10 mouse
		"\x1b[200~pasted ;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;; text\x1b[201~",
		"\x1b[97;5u\x1b[97:65;2;65u",                   // kitty keyboard
		"\x1b[?62;22;1;2;6;9;15;16;17;18;21;22;28;29c", // DA1 answer
		"\x1b]11;rgb:0000/0000/0000\x07",               // background colour answer
		"\x1bP1$r0;1m\x1b\\",                           // DECRQSS answer
		"\x1b[" + strings.Repeat("1;", 31) + "1m",      // 32 parameters: all the decoder holds
		"ěščřžýáíé ŝ 🎉 日本語 ;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;",
		"\x1b[I\x1b[O", // focus
	}
	for _, in := range keep {
		if out := guarded(t, in); out != in {
			t.Errorf("guard changed %q to %q", in, out)
		}
	}
}

// Bytes come as the terminal sends them: a sequence split over reads is
// cut the same, and a read never returns more than it read.
func TestInputGuardAcrossReads(t *testing.T) {
	in := crashing["typed"] + "a" + crashing["mouse SGR"] + "b"
	whole := guarded(t, in)
	out, err := io.ReadAll(NewInputGuard(iotest.OneByteReader(strings.NewReader(in))))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != whole {
		t.Errorf("byte by byte %q, at once %q", out, whole)
	}
	want := "\x1b[" + strings.Repeat(";", parser.MaxParamsSize-1) + "ma\x1b[<" + strings.Repeat(";", parser.MaxParamsSize-1) + "Mb"
	if whole != want {
		t.Errorf("got %q, want %q", whole, want)
	}
}

// FuzzInput is the console's input path: bytes a person types or pastes,
// the guard, then the decoding bubbletea runs. No input may panic, and
// none may reach the decoder with more parameters than it holds.
func FuzzInput(f *testing.F) {
	for _, in := range crashing {
		f.Add([]byte(in), uint8(0))
	}
	f.Add([]byte("\x1b[200~text\x1b[201~\x1b[<0;1;2M"), uint8(3))
	f.Add([]byte("\x1b]52;c;aGVsbG8=\x07\x1bP+q544e\x1b\\"), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		// The guard sees the input in reads of chunk bytes (at once for 0).
		var r io.Reader = bytes.NewReader(in)
		if chunk > 0 {
			r = &chunkReader{r: r, n: int(chunk)}
		}
		out, err := io.ReadAll(NewInputGuard(r))
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > len(in) {
			t.Fatalf("the guard made %d bytes of %d", len(out), len(in))
		}
		decodeAsBubbleteaDoes(out)
		if seq := tooManyParams(out); seq != nil {
			t.Fatalf("a sequence with %d separators passed: %q", separators(seq), seq)
		}
	})
}

type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

func ExampleInputGuard() {
	out, _ := io.ReadAll(NewInputGuard(strings.NewReader("\x1b[" + strings.Repeat(";", 40) + "1mq")))
	fmt.Printf("%q\n", out)
	// Output: "\x1b[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;mq"
}
