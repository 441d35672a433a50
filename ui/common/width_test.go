package common

import (
	"math/rand/v2"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// widthPieces are what frames are made of, and what is hard to measure:
// styles, hyperlinks, wide and joined characters, marks that join the
// character before them, controls.
var widthPieces = []string{
	"a", "Z", "0", " ", "~", "·", "›", "…", "■", "é", "e\u0301", "\u0301", "日本", "🚀", "👩\u200d💻", "\u200d",
	"☺\ufe0f", "\ufe0f", "1\ufe0f\u20e3", "🇬🇧", "🇬", "\r\n", "\r", "\t", "\x00", "\x7f", "\x1b", "\x1b[31m",
	"\x1b[38;2;1;2;3m", "\x1b[m", "\x1b]8;;http://x\x1b\\", "\x1b]8;;\x07", "\x1bP1$r\x1b\\", "\n", "\u00ad", "한", "\u1100\u1161",
}

// Width measures every string as lipgloss.Width does: every printable
// ASCII character alone, and random strings of the pieces above.
func TestWidthIsLipglossWidth(t *testing.T) {
	for c := byte(0); c < 0x80; c++ {
		for _, s := range []string{string(c), "x" + string(c) + "y", string(c) + "\u0301"} {
			if got, want := Width(s), lipgloss.Width(s); got != want {
				t.Fatalf("Width(%q) = %d, lipgloss.Width says %d", s, got, want)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(widthPieces[rng.IntN(len(widthPieces))])
		}
		s := b.String()
		if got, want := Width(s), lipgloss.Width(s); got != want {
			t.Fatalf("Width(%q) = %d, lipgloss.Width says %d", s, got, want)
		}
	}
}

func FuzzWidth(f *testing.F) {
	for _, p := range widthPieces {
		f.Add("ab" + p + "c")
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Width(s), lipgloss.Width(s); got != want {
			t.Fatalf("Width(%q) = %d, lipgloss.Width says %d", s, got, want)
		}
	})
}
