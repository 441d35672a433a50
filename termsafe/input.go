package termsafe

import (
	"io"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/ansi/parser"
)

// What one control sequence of a person's input may carry on to the
// console's key decoder. The decoder (x/ansi's, which bubbletea's input
// reader runs over every byte typed or pasted) keeps a fixed array of
// parameters; up to v0.11.9 a sequence with more separators than that
// array has slots indexed past its end and panicked: ESC [, 32 ';', "1m"
// — 37 bytes anyone could type or paste — ended the program.
const (
	// MaxInputParams is the parameters kept of a CSI sequence: the
	// decoder's own capacity, so nothing it would have read is lost.
	// Keys, mouse reports and a terminal's answers carry a dozen at most.
	MaxInputParams = parser.MaxParamsSize
	// MaxInputDCSParams is the parameters kept of a DCS sequence:
	// bubbletea's event decoder (ultraviolet's) reads 16, and hands the
	// bytes past them on as key presses — the DCS's final byte among
	// them, so ESC P, 16 ';', "q" quit the console.
	MaxInputDCSParams = 16
	// MaxInputIntermediates is the intermediate bytes kept of a sequence
	// (ESC [ … $ p): real ones have one.
	MaxInputIntermediates = 2
)

// InputGuard passes a terminal's input on, cutting every control
// sequence to what the key decoders can hold: the parameters of a CSI
// past MaxInputParams, or of a DCS past MaxInputDCSParams, are dropped
// (the sequence keeps its final byte, so it still ends where it did),
// and so are its intermediate bytes past MaxInputIntermediates. Past
// those bounds x/ansi's decoder panicked (up to v0.11.9) and
// ultraviolet's hands the rest of the sequence on as key presses. Everything else — keys,
// text, mouse reports, a bracketed paste's markers and content — passes
// unchanged.
//
// It never holds a byte back: each Read returns what the one read of
// the underlying input gave, less what was dropped, so a lone ESC (the
// Esc key) reaches the decoder at once.
//
// Which bytes the decoder reads as a sequence's parameters depends on
// how it splits text into characters: a one-byte C1 CSI (0x9b) or DCS
// (0x90) starts a sequence unless its grapheme segmentation takes the
// byte into a (possibly broken) UTF-8 character, and that rule belongs
// to the library. So the guard does not follow the text: it treats every
// 0x9b and 0x90 byte, and every ESC [ and ESC P (with or without
// intermediates between), as starting a sequence, and counts the
// parameter bytes that follow it. The decoder collects parameters only
// after one of these, over the same run of bytes, so it never holds more
// than the guard let through; the price is that text in which a
// character with a 0x9b or 0x90 byte (ě, Ő) is followed by a run of
// more than 31 (or 15) ';' or ':' loses the ones past them.
type InputGuard struct {
	r io.Reader

	state   inputState
	params  int  // separators seen in the current sequence's parameters
	limit   int  // the parameters the current sequence may keep
	cut     bool // the parameters passed the bound: the rest are dropped
	begun   bool // a digit or separator was read: no prefix may follow
	interms int  // intermediate bytes seen in the current sequence
}

type inputState uint8

const (
	inGround inputState = iota
	inEscape            // after ESC (and any intermediates)
	inParams            // after a CSI or DCS introducer: prefix and parameters
	inInterm            // a CSI or DCS's intermediate bytes
)

// NewInputGuard guards the input r.
func NewInputGuard(r io.Reader) *InputGuard { return &InputGuard{r: r} }

// Read reads once from the input and returns what passes.
func (g *InputGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	return g.filter(p[:n]), err
}

// filter rewrites b in place, returning the length kept: what is kept
// never outruns what was read, so no byte is held over.
func (g *InputGuard) filter(b []byte) int {
	w := 0
	for _, c := range b {
		if g.step(c) {
			b[w] = c
			w++
		}
	}
	return w
}

// step takes one byte and reports whether it passes.
func (g *InputGuard) step(c byte) bool {
	switch c {
	case ansi.ESC:
		// In any state: the decoder ends (or cancels) what it was reading
		// and starts an escape sequence.
		g.state, g.interms = inEscape, 0
		return true
	case ansi.CSI, ansi.DCS:
		g.enterParams(c == ansi.DCS)
		return true
	}
	switch g.state {
	case inEscape:
		switch {
		case c == '[' || c == 'P':
			g.enterParams(c == 'P')
		case c >= 0x20 && c <= 0x2f:
			// ESC # [ is still a CSI to the decoder.
			g.interms++
			return g.interms <= MaxInputIntermediates
		default:
			g.state = inGround
		}
	case inParams:
		switch {
		case c >= '0' && c <= '9':
			g.begun = true
			return !g.cut
		case c == ';' || c == ':':
			g.begun = true
			g.params++
			// The limit's parameters need one separator fewer; from the
			// next one on, the parameters are dropped.
			if g.params >= g.limit {
				g.cut = true
			}
			return !g.cut
		case c >= '<' && c <= '?' && !g.begun:
			// A prefix (CSI < … M is a mouse report).
		case c >= 0x20 && c <= 0x2f:
			g.state, g.interms = inInterm, 1
		default:
			// The final byte, or a byte that breaks the sequence.
			g.state = inGround
		}
	case inInterm:
		if c >= 0x20 && c <= 0x2f {
			g.interms++
			return g.interms <= MaxInputIntermediates
		}
		g.state = inGround
	}
	return true
}

func (g *InputGuard) enterParams(dcs bool) {
	g.state, g.params, g.cut, g.begun, g.interms = inParams, 0, false, false, 0
	g.limit = MaxInputParams
	if dcs {
		g.limit = MaxInputDCSParams
	}
}
