package termsafe

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// LogLine is one line of a job's log made safe to draw: Text keeps the
// log's colours (SGR sequences rewritten, see sgrPen) and nothing else
// that could drive a terminal; At is the agent's timestamp for the line
// ("_bk;t=" in an APC sequence), zero when the line has none.
type LogLine struct {
	Text string
	At   time.Time
}

// MaxLogLineRunes is the most characters of a log's line one LogLine
// holds: a longer line (a minified bundle, a progress bar that never
// ends its line) comes as several LogLines of this many, each in the
// colours in force where it starts, so that drawing and wrapping one
// costs a bounded amount and none is dropped.
const MaxLogLineRunes = 2048

// LogLines splits a job's log into lines made safe to draw. A build's log
// is written by whatever its steps print, so anyone who can push a commit
// can put bytes in it: only SGR colour sequences (ESC [ digits ; m) are
// kept — never as written, but rewritten in a bounded form of the
// attributes known to be harmless (see sgrPen) — and every other sequence — OSC (a title, the clipboard: OSC 52,
// hyperlinks), CSI other than SGR (clear screen, cursor moves, reports),
// DCS, SOS, PM, APC other than the agent's timestamps, their 8-bit C1
// forms, other C0 controls, and direction-changing or invisible
// characters — is removed. A carriage return inside a line keeps what was
// written after it, as a terminal shows a progress bar's last state. A
// line that set a colour ends with a reset, so no colour runs into what is
// drawn after it. A line longer than MaxLogLineRunes is cut into several.
// Bytes that are not UTF-8 become U+FFFD.
func LogLines(log []byte) []LogLine {
	s := strings.ToValidUTF8(string(log), "\uFFFD")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	raw := strings.Split(s, "\n")
	out := make([]LogLine, 0, len(raw))
	for _, line := range raw {
		out = logLine(out, line)
	}
	return out
}

// logLine appends one line (without its newline), cleaned, to out: one
// LogLine, or several when it is long.
func logLine(out []LogLine, line string) []LogLine {
	var at time.Time
	var b strings.Builder
	var pen sgrPen
	runes := 0
	// cut ends the LogLine being written: a long line goes on in the
	// next, which starts in the colours in force.
	cut := func() {
		text := b.String()
		if pen.coloured {
			text += "\x1b[0m"
		}
		out = append(out, LogLine{Text: text, At: at})
		b.Reset()
		runes = 0
		if sgr := pen.String(); sgr != "" {
			b.WriteString(sgr)
		}
	}
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
				if final == 'm' && sgrParams(params) {
					b.WriteString(pen.apply(params))
				}
			case ']', 'P', 'X', '^':
				_, n := stringSeq(line[i+1:])
				i += 1 + n
			case '_':
				body, n := stringSeq(line[i+1:])
				i += 1 + n
				if stamp, ok := bkTimestamp(body); ok && at.IsZero() {
					at = stamp
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
			// What follows overwrites the line, as on a terminal, in the
			// colours in force.
			i += size
			if i < len(line) {
				b.Reset()
				runes = 0
				if sgr := pen.String(); sgr != "" {
					b.WriteString(sgr)
				}
			}
		case r == '\t':
			i += size
			if runes+4 > MaxLogLineRunes {
				cut()
			}
			b.WriteString("    ")
			runes += 4
		case drop(r):
			i += size
		default:
			i += size
			if runes == MaxLogLineRunes {
				cut()
			}
			b.WriteRune(r)
			runes++
		}
	}
	cut()
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

// sgrPen reads a log's colour sequences and writes them again in a form
// of its own: a sequence as a build printed it is never passed on. The
// renderer's decoder reads at most 32 parameters (a sequence of 33, kept
// raw, panicked x/ansi up to v0.11.9), and some attributes are no
// colour: blink (5, 6) draws the eye to a line of the build's choosing,
// conceal (8) hides text from the person while it is on the screen, and
// fonts, frames and the rest are drawn differently by every terminal.
//
// So each sequence is read as a list of attributes, those not known to
// be harmless are dropped, and what remains is written as numbers joined
// by ';': bold, faint, italic, underline (any style), reverse and strike
// and their ends, the 8, 16, 256 and RGB colours of text and background,
// and the reset. An attribute given twice counts once (its last), and a
// colour replaces the colour before it, so a sequence is at most
// maxPenParams numbers however long it was written.
type sgrPen struct {
	// ops are the attributes in force since the line's last reset, each
	// as it is written ("1", "38;5;208"), in the order last set.
	ops      []string
	coloured bool
}

// maxPenParams is the most numbers a rewritten sequence holds: the reset,
// the eleven plain attributes, and two colours of five numbers.
const maxPenParams = 1 + 11 + 5 + 5

// penAttributes are the plain attributes kept: bold, faint, italic,
// underline, reverse, strike, and the codes that end them.
var penAttributes = map[int]bool{1: true, 2: true, 3: true, 4: true, 7: true, 9: true, 22: true, 23: true, 24: true, 27: true, 29: true}

// apply reads one SGR sequence's parameters and returns the sequence to
// write: the attributes it keeps, or nothing when it keeps none.
func (p *sgrPen) apply(params string) string {
	var set []string
	reset := false
	// put records op, dropping an earlier op of the same kind: the
	// same attribute, or a colour of the same ground.
	put := func(op string) {
		kind := penKind(op)
		set = slices.DeleteFunc(set, func(o string) bool { return penKind(o) == kind })
		set = append(set, op)
	}
	groups := sgrGroups(params)
	for i := 0; i < len(groups); i++ {
		g := groups[i]
		v, plain := g[0], len(g) == 1
		switch {
		case v <= 0 && plain:
			// 0, or an empty parameter: the reset.
			reset, set = true, set[:0]
		case v == 4:
			// An underline, of any style (4:3 is curly); 4:0 ends it.
			if len(g) > 1 && g[1] == 0 {
				put("24")
			} else {
				put("4")
			}
		case plain && (penAttributes[v] || v >= 30 && v <= 37 || v == 39 || v >= 90 && v <= 97 ||
			v >= 40 && v <= 47 || v == 49 || v >= 100 && v <= 107):
			put(strconv.Itoa(v))
		case v == 38 || v == 48 || v == 58:
			op, used := extendedColour(groups[i:])
			i += used - 1
			// The underline's colour (58) is not kept; its numbers are
			// not read as attributes either.
			if op != "" && v != 58 {
				put(op)
			}
		}
	}
	if !reset && len(set) == 0 {
		return ""
	}
	if reset {
		p.ops = p.ops[:0]
	}
	for _, op := range set {
		kind := penKind(op)
		p.ops = slices.DeleteFunc(p.ops, func(o string) bool { return penKind(o) == kind })
		p.ops = append(p.ops, op)
	}
	p.coloured = true
	if reset {
		set = append([]string{"0"}, set...)
	}
	return "\x1b[" + strings.Join(set, ";") + "m"
}

// String is the sequence that sets the attributes in force, or nothing.
func (p *sgrPen) String() string {
	if len(p.ops) == 0 {
		return ""
	}
	return "\x1b[" + strings.Join(p.ops, ";") + "m"
}

// penKind is what an op sets: a colour's ground, or the attribute itself.
func penKind(op string) string {
	code, _, _ := strings.Cut(op, ";")
	switch n, _ := strconv.Atoi(code); {
	case n >= 30 && n <= 39, n >= 90 && n <= 97:
		return "fg"
	case n >= 40 && n <= 49, n >= 100 && n <= 107:
		return "bg"
	}
	return op
}

// extendedColour reads a 38, 48 or 58 colour at groups[0]: 5;n or
// 2;r;g;b, its numbers separate parameters (38;5;208) or sub-parameters
// of the first (38:5:208, and ITU's 38:2::r:g:b with a colour space
// before r). It returns the colour written again with ';' ("38;5;208"),
// or "" when it is not one, and how many parameters it used.
func extendedColour(groups [][]int) (string, int) {
	first := groups[0]
	ground := strconv.Itoa(first[0])
	var nums []int
	used := 1
	if len(first) > 1 {
		nums = first[1:]
		if len(nums) == 5 && nums[0] == 2 {
			nums = append([]int{2}, nums[2:]...) // the colour space goes
		}
	} else {
		// The numbers are the parameters that follow: as many as the
		// kind (the next one) says.
		want := 0
		if len(groups) > 1 {
			switch groups[1][0] {
			case 5:
				want = 2
			case 2:
				want = 4
			default:
				want = 1
			}
		}
		for _, g := range groups[1:min(len(groups), 1+want)] {
			nums = append(nums, g[0])
		}
		used += len(nums)
	}
	isByte := func(n int) bool { return n >= 0 && n <= 255 }
	switch {
	case len(nums) == 2 && nums[0] == 5 && isByte(nums[1]):
		return ground + ";5;" + strconv.Itoa(nums[1]), used
	case len(nums) == 4 && nums[0] == 2 && isByte(nums[1]) && isByte(nums[2]) && isByte(nums[3]):
		return ground + ";2;" + strconv.Itoa(nums[1]) + ";" + strconv.Itoa(nums[2]) + ";" + strconv.Itoa(nums[3]), used
	}
	return "", used
}

// What of one sequence is read: a real one has a few parameters; past
// these the rest are not read.
const (
	maxSGRGroups = 64
	maxSGRSubs   = 6
)

// sgrGroups splits SGR parameters at ';' into parameters, each a value
// and its sub-parameters (split at ':'); an empty one is -1, and a value
// past 9999 reads as 9999 (no attribute or colour is that big).
func sgrGroups(params string) [][]int {
	var out [][]int
	cur := []int{-1}
	for i := 0; i < len(params) && len(out) < maxSGRGroups; i++ {
		switch c := params[i]; c {
		case ';':
			out = append(out, cur)
			cur = []int{-1}
		case ':':
			if len(cur) < maxSGRSubs {
				cur = append(cur, -1)
			}
		default:
			last := &cur[len(cur)-1]
			*last = min(max(*last, 0)*10+int(c-'0'), 9999)
		}
	}
	if len(out) < maxSGRGroups {
		out = append(out, cur)
	}
	return out
}
