package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is the organisation's REST window, as Buildkite enforces it:
// Limit requests per Window, shared by every token of the organisation.
// The zero value turns the limit off.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// DefaultRateLimit is Buildkite's: 200 requests a minute per organisation.
var DefaultRateLimit = RateLimit{Limit: 200, Window: time.Minute}

// On reports whether the limit is enforced.
func (l RateLimit) On() bool { return l.Limit > 0 && l.Window > 0 }

func (l RateLimit) String() string {
	if !l.On() {
		return "0"
	}
	return fmt.Sprintf("%d/%s", l.Limit, strings.TrimSuffix(strings.TrimSuffix(l.Window.String(), "0s"), "0m"))
}

// ParseRateLimit reads "200/1m" (a count per a duration), "200" (per
// minute), or "0" (off).
func ParseRateLimit(s string) (RateLimit, error) {
	s = strings.TrimSpace(s)
	count, per, hasPer := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 0 {
		return RateLimit{}, fmt.Errorf("rate limit %q: write requests per window, e.g. 200/1m, or 0 for none", s)
	}
	window := time.Minute
	if hasPer {
		per = strings.TrimSpace(per)
		if per != "" && (per[0] < '0' || per[0] > '9') {
			per = "1" + per
		}
		if window, err = time.ParseDuration(per); err != nil || window <= 0 {
			return RateLimit{}, fmt.Errorf("rate limit %q: the window %q is not a duration such as 1m", s, per)
		}
	}
	if n == 0 {
		return RateLimit{}, nil
	}
	return RateLimit{Limit: n, Window: window}, nil
}

// rateWindow counts the organisation's requests in fixed windows.
// Callers hold s.mu.
type rateWindow struct {
	start time.Time
	used  int
}

// spend counts one request against the window and reports the headers
// of its reply, and whether it is over the limit.
func (s *Server) spend(now time.Time) (limit, remaining int, reset time.Duration, over bool) {
	l := s.rateLimit
	w := &s.window
	if w.start.IsZero() || now.Sub(w.start) >= l.Window {
		// Windows keep to their grid, as a minute-based limiter's do.
		if w.start.IsZero() {
			w.start = now
		} else {
			w.start = w.start.Add(now.Sub(w.start).Truncate(l.Window))
		}
		w.used = 0
	}
	reset = w.start.Add(l.Window).Sub(now)
	if w.used >= l.Limit {
		return l.Limit, 0, reset, true
	}
	w.used++
	return l.Limit, l.Limit - w.used, reset, false
}

// rateHeaders writes Buildkite's rate-limit headers. RateLimit-Reset is
// whole seconds until the window resets, rounded up.
func rateHeaders(h http.Header, limit, remaining int, reset time.Duration) {
	h.Set("RateLimit-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(int((reset+time.Second-1)/time.Second)))
}

// SetRateLimit changes the organisation's window; the count starts again.
func (s *Server) SetRateLimit(l RateLimit) {
	s.mu.Lock()
	s.rateLimit, s.window = l, rateWindow{}
	s.mu.Unlock()
}

// rateLimitDetails is one scope of "Get rate limits".
type rateLimitDetails struct {
	Current  int       `json:"current"`
	Enforced bool      `json:"enforced"`
	Limit    int       `json:"limit"`
	Reset    int       `json:"reset"`
	ResetAt  time.Time `json:"reset_at"`
}

// getRateLimit is GET /v2/organizations/{org}/rate_limit in the shape of
// Buildkite's organisation rate-limits API.
func (s *Server) getRateLimit(w http.ResponseWriter, r *http.Request, u urls) reply {
	now := s.clock()
	rest := rateLimitDetails{Enforced: s.rateLimit.On()}
	if s.rateLimit.On() {
		if !s.window.start.IsZero() && now.Sub(s.window.start) < s.rateLimit.Window {
			rest.Current = s.window.used
		}
		rest.Limit = s.rateLimit.Limit
		_, _, reset, _ := s.peekWindow(now)
		rest.Reset = int((reset + time.Second - 1) / time.Second)
		rest.ResetAt = now.Add(reset).UTC().Truncate(time.Second)
	}
	return ok(map[string]any{"scopes": map[string]any{"rest": rest, "graphql": rateLimitDetails{}}})
}

// peekWindow is spend without spending.
func (s *Server) peekWindow(now time.Time) (limit, remaining int, reset time.Duration, over bool) {
	l, w := s.rateLimit, s.window
	if w.start.IsZero() || now.Sub(w.start) >= l.Window {
		return l.Limit, l.Limit, l.Window, false
	}
	return l.Limit, l.Limit - w.used, w.start.Add(l.Window).Sub(now), w.used >= l.Limit
}
