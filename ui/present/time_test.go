package present

import (
	"testing"
	"time"
)

// A year-9999 dispatch_paused_at once showed as "paused in
// -9223372036s": time.Time.Sub saturates (issue 21, 13).
func TestAgoAndUntilFarFromNow(t *testing.T) {
	now := time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, got, want string
	}{
		{"year 9999 ahead", Ago(now, time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)), "in 7973y"},
		{"year 1 behind", Ago(now, time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)), "2025y ago"},
		{"until year 9999", Until(now, time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)), "in 7973y"},
		{"until year 1", Until(now, time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)), "2025y ago"},
		{"five minutes ago", Ago(now, now.Add(-5*time.Minute)), "5m ago"},
		{"a few seconds ahead", Ago(now, now.Add(10*time.Second)), "just now"},
		{"three minutes ahead", Ago(now, now.Add(3*time.Minute)), "in 3m"},
		{"three years ahead", Until(now, now.AddDate(3, 0, 0)), "in 3y"},
		{"ninety days ahead", Until(now, now.AddDate(0, 0, 90)), "in 90d"},
		{"ninety days ahead, read a moment later", Until(now.Add(time.Millisecond), now.AddDate(0, 0, 90)), "in 90d"},
		{"five months ahead", Until(now, now.AddDate(0, 5, 0)), "in 5mo"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}
