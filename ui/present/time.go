package present

import (
	"fmt"
	"strings"
	"time"
)

// Ago says how long ago t was, briefly: "just now", "5m ago", "2h ago";
// a t ahead of now (a clock that runs fast, or a year-9999 date from the
// API) is "in 3m", "in 7973y".
func Ago(now, t time.Time) string {
	switch {
	case t.After(now.Add(45 * time.Second)):
		return "in " + span(now, t)
	case !t.Before(now.Add(-45 * time.Second)):
		return "just now"
	default:
		return span(t, now) + " ago"
	}
}

// Until says how long until t, or how long ago it passed.
func Until(now, t time.Time) string {
	if t.Before(now) {
		return Ago(now, t)
	}
	return "in " + span(now, t)
}

// Elapsed is how long it has been since t, briefly: "12s", "5m", "2h".
func Elapsed(now, t time.Time) string {
	if t.After(now) {
		return "0s"
	}
	return span(t, now)
}

// span is the time from from to to (to is the later), briefly. Times far
// apart are counted in years from their dates: time.Time.Sub saturates at
// about 292 years, and the saturated value once showed a year-9999 pause
// as "paused in -9223372036s".
func span(from, to time.Time) string {
	if years := to.Year() - from.Year(); years > 100 {
		return fmt.Sprintf("%dy", years)
	}
	d := to.Sub(from)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 120*24*time.Hour:
		// Days to the nearest, up to four months: "90d" is what a person
		// typed for a token's expiry, and a reading a moment later must
		// not make it "89d" or "2mo".
		return fmt.Sprintf("%dd", int((d+12*time.Hour)/(24*time.Hour)))
	case d < 730*24*time.Hour:
		return fmt.Sprintf("%dmo", int(d.Hours()/24/30))
	default:
		return fmt.Sprintf("%dy", int(d.Hours()/24/365))
	}
}

// Duration says how long something ran: "4m12s", "—" before it starts.
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// WaitedFor is how long a job has waited since it became runnable: "5m",
// or "5m+" when GraphQL's pages did not prove it the longest wait
// (api.LiveCount.OldestAtLeast): some job has waited that long, maybe one
// longer.
func WaitedFor(now, since time.Time, atLeast bool) string {
	s := strings.TrimSuffix(Ago(now, since), " ago")
	if atLeast {
		s += "+"
	}
	return s
}
