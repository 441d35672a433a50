package component

import "time"

// The pause typing must make before what was typed is asked of the
// server (a name in the palette or a list's filter): at least
// MinTypingPause, and half as long again as the gap between the last two
// keys, up to MaxTypingPause. A name typed at 200–300 ms a key is a pause
// only at its end: asked for once, not at every key.
const (
	MinTypingPause = 150 * time.Millisecond
	MaxTypingPause = 500 * time.Millisecond
)

// TypingPause is the pause to wait for after a key typed at now, the one
// before it at last. The first key of a run of typing (none before it, or
// the last long ago) waits MaxTypingPause: its pace is not known yet, and
// the shorter floor asked for the name's first letters of a person typing
// at 200 ms a key before their next key came.
func TypingPause(last, now time.Time) time.Duration {
	gap := now.Sub(last)
	if last.IsZero() || gap > 2*MaxTypingPause {
		return MaxTypingPause
	}
	if gap <= 0 {
		// Keys at one instant (a test's, or a burst): no pause between.
		return MinTypingPause
	}
	return min(max(MinTypingPause, gap*3/2), MaxTypingPause)
}
