package common

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/ansi/parser"
)

// Width is lipgloss.Width (the widest line's cells, escape sequences
// counting none), cheaper where the text is ASCII. ansi.StringWidth finds
// the grapheme cluster at every printable byte; a printable ASCII byte
// followed by another ASCII byte (or by nothing) is a cluster of its own
// (no Unicode rule joins two ASCII characters but CR LF, which are not
// printable) and one cell wide, so it is counted as one without asking.
// Any other printable text is measured as ansi.StringWidth measures it.
// Finding the clusters of every line of every frame was a tenth of a
// frame's cost.
func Width(s string) int {
	width := 0
	for line := range strings.SplitSeq(s, "\n") {
		width = max(width, lineWidth(line))
	}
	return width
}

// lineWidth is ansi.StringWidth's walk with the ASCII step.
func lineWidth(s string) int {
	state := parser.GroundState
	width := 0
	for i := 0; i < len(s); i++ {
		next, action := parser.Table.Transition(state, s[i])
		if action == parser.PrintAction && s[i] < utf8.RuneSelf && (i+1 == len(s) || s[i+1] < utf8.RuneSelf) {
			width++
			state = parser.GroundState
			continue
		}
		if action == parser.PrintAction || next == parser.Utf8State {
			cluster, w := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
			width += w
			i += len(cluster) - 1
			state = parser.GroundState
			continue
		}
		state = next
	}
	return width
}
