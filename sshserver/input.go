package sshserver

import (
	"io"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

// What one escape sequence or paste from a session may hold. The
// terminal's input parser keeps an unterminated sequence and looks at it
// again with every read, so a sequence of megabytes costs the server CPU
// that grows with its square, and a paste is held whole until it ends.
const (
	// MaxStringSequence bounds an OSC, DCS, APC, PM or SOS sequence
	// (ESC ] … BEL, ESC P … ESC \): a terminal answers the console's
	// queries with a few dozen bytes.
	MaxStringSequence = 4 << 10
	// MaxCSI bounds the parameters of a CSI sequence (ESC [ … final).
	MaxCSI = 256
	// MaxPaste bounds a bracketed paste: the rest of it is dropped.
	MaxPaste = 256 << 10
)

// inputState is where boundedInput is in the byte stream.
type inputState int

const (
	ground    inputState = iota
	escape               // after ESC
	csi                  // in ESC [ …
	stringSeq            // in ESC ] … (or P, _, ^, X)
	stringEsc            // an ESC inside a string sequence: ST or a new one
	paste                // between ESC[200~ and ESC[201~
)

const pasteEnd = "\x1b[201~"

// boundedInput passes a session's keys to the console, cutting escape
// sequences and pastes that pass their bounds: the bytes past the bound
// are dropped, the sequence's end is kept, so the console sees a short
// sequence (which it ignores) or a paste of MaxPaste bytes. The keys
// first pass termsafe's InputGuard, which cuts a sequence's parameters
// to what the key decoder holds: 33 of them, 37 bytes, panicked it and
// ended the server with every session.
type boundedInput struct {
	r       io.Reader
	state   inputState
	n       int    // bytes of the current sequence or paste
	params  []byte // a CSI's first parameter bytes: is it the paste start?
	matched int    // bytes of pasteEnd matched in a paste, held back
	pending []byte // output not yet returned
	scratch []byte
}

func newBoundedInput(r io.Reader) *boundedInput {
	return &boundedInput{r: termsafe.NewInputGuard(r), params: make([]byte, 0, 8)}
}

func (b *boundedInput) Read(p []byte) (int, error) {
	for len(b.pending) == 0 {
		if cap(b.scratch) < len(p) {
			b.scratch = make([]byte, len(p))
		}
		n, err := b.r.Read(b.scratch[:len(p)])
		for _, c := range b.scratch[:n] {
			b.feed(c)
		}
		if err != nil {
			if len(b.pending) > 0 {
				break // the error comes back with the next Read
			}
			return 0, err
		}
	}
	n := copy(p, b.pending)
	b.pending = b.pending[:copy(b.pending, b.pending[n:])]
	return n, nil
}

func (b *boundedInput) emit(c ...byte) { b.pending = append(b.pending, c...) }

// feed takes one byte of input.
func (b *boundedInput) feed(c byte) {
	switch b.state {
	case ground:
		if c == 0x1b {
			b.state = escape
		}
		b.emit(c)
	case escape:
		b.emit(c)
		b.n = 0
		switch c {
		case '[':
			b.state, b.params = csi, b.params[:0]
		case ']', 'P', '_', '^', 'X':
			b.state = stringSeq
		case 0x1b:
		default:
			b.state = ground
		}
	case csi:
		switch {
		case c >= 0x40 && c <= 0x7e: // the final byte
			b.emit(c)
			b.state = ground
			if c == '~' && string(b.params) == "200" && b.n == 3 {
				b.state, b.n, b.matched = paste, 0, 0
			}
		case c == 0x1b:
			b.emit(c)
			b.state = escape
		default:
			b.n++
			if b.n <= MaxCSI {
				b.emit(c)
				if len(b.params) < cap(b.params) {
					b.params = append(b.params, c)
				}
			}
		}
	case stringSeq:
		switch c {
		case 0x07: // BEL ends it
			b.emit(c)
			b.state = ground
		case 0x1b:
			b.emit(c)
			b.state = stringEsc
		default:
			b.n++
			if b.n <= MaxStringSequence {
				b.emit(c)
			}
		}
	case stringEsc:
		if c == '\\' { // ESC \ is ST
			b.emit(c)
			b.state = ground
			return
		}
		// Any other byte after ESC starts a new sequence.
		b.state = escape
		b.feed(c)
	case paste:
		b.feedPaste(c)
	}
}

// feedPaste takes a byte of a paste: the end marker is held back until it
// is whole or proves to be content; content past MaxPaste is dropped.
func (b *boundedInput) feedPaste(c byte) {
	if c == pasteEnd[b.matched] {
		b.matched++
		if b.matched == len(pasteEnd) {
			b.pending = append(b.pending, pasteEnd...)
			b.state, b.matched = ground, 0
		}
		return
	}
	held := b.matched
	b.matched = 0
	for i := range held {
		b.pasteContent(pasteEnd[i])
	}
	if c == pasteEnd[0] {
		b.matched = 1
		return
	}
	b.pasteContent(c)
}

func (b *boundedInput) pasteContent(c byte) {
	b.n++
	if b.n <= MaxPaste {
		b.emit(c)
	}
}
