package termsafe

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// LogLine is one line of a job's log made safe to draw: Text keeps the
// log's colours (SGR sequences only) and nothing else that could drive a
// terminal; At is the agent's timestamp for the line ("_bk;t=" in an APC
// sequence), zero when the line has none.
type LogLine struct {
	Text string
	At   time.Time
}

// maxSGR bounds the parameters of a colour sequence kept: a real one is a
// few numbers; anything longer is dropped rather than handed on.
const maxSGR = 64

// LogLines splits a job's log into lines made safe to draw. A build's log
// is written by whatever its steps print, so anyone who can push a commit
// can put bytes in it: only SGR colour sequences (ESC [ digits ; m) are
// kept, and every other sequence — OSC (a title, the clipboard: OSC 52,
// hyperlinks), CSI other than SGR (clear screen, cursor moves, reports),
// DCS, SOS, PM, APC other than the agent's timestamps, their 8-bit C1
// forms, other C0 controls, and direction-changing or invisible
// characters — is removed. A carriage return inside a line keeps what was
// written after it, as a terminal shows a progress bar's last state. A
// line that set a colour ends with a reset, so no colour runs into what is
// drawn after it. Bytes that are not UTF-8 become U+FFFD.
func LogLines(log []byte) []LogLine {
	s := strings.ToValidUTF8(string(log), "\uFFFD")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	raw := strings.Split(s, "\n")
	out := make([]LogLine, len(raw))
	for i, line := range raw {
		out[i] = logLine(line)
	}
	return out
}

// logLine cleans one line (without its newline).
func logLine(line string) LogLine {
	var out LogLine
	var b strings.Builder
	coloured := false
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case r == '\x1b':
			i += size
			if i >= len(line) {
				continue
			}
			switch line[i] {
			case '[':
				params, final, n := csi(line[i+1:])
				i += 1 + n
				if final == 'm' && len(params) <= maxSGR && sgrParams(params) {
					b.WriteString("\x1b[" + params + "m")
					coloured = true
				}
			case ']', 'P', 'X', '^':
				_, n := stringSeq(line[i+1:])
				i += 1 + n
			case '_':
				body, n := stringSeq(line[i+1:])
				i += 1 + n
				if at, ok := bkTimestamp(body); ok && out.At.IsZero() {
					out.At = at
				}
			default:
				// A two-byte sequence (ESC c resets the terminal, ESC 7
				// saves the cursor...): both bytes go.
				_, n := utf8.DecodeRuneInString(line[i:])
				i += n
			}
		case r >= 0x80 && r <= 0x9f:
			// The 8-bit forms: CSI, OSC, DCS, APC... are dropped with
			// what they carry; colours never come this way in a log.
			i += size
			switch r {
			case 0x9b:
				_, _, n := csi(line[i:])
				i += n
			case 0x9d, 0x90, 0x98, 0x9e, 0x9f:
				_, n := stringSeq(line[i:])
				i += n
			}
		case r == '\r':
			// What follows overwrites the line, as on a terminal; the
			// colour in force is kept by starting over with a reset.
			i += size
			if i < len(line) {
				b.Reset()
				if coloured {
					b.WriteString("\x1b[0m")
				}
			}
		case r == '\t':
			i += size
			b.WriteString("    ")
		case drop(r):
			i += size
		default:
			i += size
			b.WriteRune(r)
		}
	}
	out.Text = b.String()
	if coloured {
		out.Text += "\x1b[0m"
	}
	return out
}

// csi reads a control sequence's parameters and final byte after its
// introducer; n is how many bytes it took (to the end of s when it never
// ends).
func csi(s string) (params string, final byte, n int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x40 && c <= 0x7e {
			return s[:i], c, i + 1
		}
		if c < 0x20 || c > 0x7e {
			// Not a CSI byte: the sequence is broken; drop what was read.
			return "", 0, i
		}
	}
	return "", 0, len(s)
}

// sgrParams reports whether params are SGR's: digits and separators.
func sgrParams(params string) bool {
	for i := 0; i < len(params); i++ {
		if c := params[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}

// stringSeq reads the body of a string sequence (OSC, DCS, APC...) up to
// its terminator, BEL or ST (ESC \ or 0x9c); n counts the terminator.
func stringSeq(s string) (body string, n int) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\x07':
			return s[:i], i + 1
		case '\x1b':
			if i+1 < len(s) && s[i+1] == '\\' {
				return s[:i], i + 2
			}
			return s[:i], i + 1
		case 0xc2:
			if i+1 < len(s) && s[i+1] == 0x9c {
				return s[:i], i + 2
			}
		}
	}
	return s, len(s)
}

// bkTimestamp reads the agent's "bk;t=<milliseconds>" APC body.
func bkTimestamp(body string) (time.Time, bool) {
	ms, ok := strings.CutPrefix(body, "bk;t=")
	if !ok {
		return time.Time{}, false
	}
	v, err := strconv.ParseInt(ms, 10, 64)
	if err != nil || v < 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(v).UTC(), true
}
