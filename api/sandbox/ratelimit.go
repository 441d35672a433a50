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

// DefaultUserRateLimit is Buildkite's default per-user limit: 50 requests
// a minute for the user behind a token.
var DefaultUserRateLimit = RateLimit{Limit: 50, Window: time.Minute}

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

// rateWindow counts requests in fixed windows: the organisation's, or one
// user's. Callers hold s.mu.
type rateWindow struct {
	start time.Time
	used  int
	// tried counts every request of the window, refused ones too: the
	// 429 body's "current" (Buildkite's example shows 55 of 50).
	tried int
}

// windowState is what a reply says of one window.
type windowState struct {
	limit, remaining int
	reset            time.Duration
	// exhausted is true while nothing is left in the window.
	exhausted bool
	current   int
}

// roll starts a new window once the old one is over. Windows keep to their
// grid, as a minute-based limiter's do.
func (w *rateWindow) roll(l RateLimit, now time.Time) {
	if w.start.IsZero() || now.Sub(w.start) >= l.Window {
		if w.start.IsZero() {
			w.start = now
		} else {
			w.start = w.start.Add(now.Sub(w.start).Truncate(l.Window))
		}
		w.used, w.tried = 0, 0
	}
}

func (w *rateWindow) state(l RateLimit, now time.Time) windowState {
	remaining := max(0, l.Limit-w.used)
	return windowState{limit: l.Limit, remaining: remaining, reset: w.start.Add(l.Window).Sub(now),
		exhausted: remaining == 0, current: w.tried}
}

// spent is what one request did to the windows it counts in.
type spent struct {
	org, user     windowState
	orgOn, userOn bool
	// refusedBy is the scope of the window that refused the request
	// ("rest" or "rest_user"), or "" when it may go on.
	refusedBy string
}

// spend counts one request of the user behind userKey against the
// organisation's window and the user's. A request goes on only when both
// have room; then it counts in both. A refused one counts in neither (so a
// client hammering a spent window does not push its reset away) but is
// tried in both. Callers hold s.mu.
func (s *Server) spend(userKey string, now time.Time) spent {
	var out spent
	var org, user *rateWindow
	if s.rateLimit.On() {
		org = &s.window
		org.roll(s.rateLimit, now)
		out.orgOn = true
	}
	if s.userRateLimit.On() {
		user = s.userWindows[userKey]
		if user == nil {
			user = &rateWindow{}
			s.userWindows[userKey] = user
		}
		user.roll(s.userRateLimit, now)
		out.userOn = true
	}
	orgFull := org != nil && org.used >= s.rateLimit.Limit
	userFull := user != nil && user.used >= s.userRateLimit.Limit
	for _, w := range []*rateWindow{org, user} {
		if w == nil {
			continue
		}
		w.tried++
		if !orgFull && !userFull {
			w.used++
		}
	}
	if org != nil {
		out.org = org.state(s.rateLimit, now)
	}
	if user != nil {
		out.user = user.state(s.userRateLimit, now)
	}
	switch {
	case orgFull && userFull:
		// Both are spent: name the one that opens later, the wait that
		// actually lets a request through.
		out.refusedBy = ScopeREST
		if out.user.reset > out.org.reset {
			out.refusedBy = ScopeRESTUser
		}
	case userFull:
		out.refusedBy = ScopeRESTUser
	case orgFull:
		out.refusedBy = ScopeREST
	}
	return out
}

// The scopes Buildkite names in the rate-limit headers and a 429's body.
const (
	ScopeREST     = "rest"
	ScopeRESTUser = "rest_user"
)

// rateLimitWarning is the documented value of RateLimit-Warning and
// RateLimit-User-Warning, present only while that window is exhausted.
const rateLimitWarning = "You have exceeded your API rate limit."

// seconds is a reset as the headers give it: whole seconds, rounded up.
func seconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// rateHeaders writes Buildkite's two sets of rate-limit headers, each only
// for a window that is enforced.
func rateHeaders(h http.Header, sp spent) {
	if sp.orgOn {
		windowHeaders(h, "RateLimit-", ScopeREST, sp.org)
	}
	if sp.userOn {
		windowHeaders(h, "RateLimit-User-", ScopeRESTUser, sp.user)
	}
}

// windowHeaders writes one window's set of headers; the two sets differ
// only in their names' prefix and their scope.
func windowHeaders(h http.Header, prefix, scope string, w windowState) {
	h.Set(prefix+"Scope", scope)
	h.Set(prefix+"Limit", strconv.Itoa(w.limit))
	h.Set(prefix+"Remaining", strconv.Itoa(w.remaining))
	h.Set(prefix+"Reset", strconv.Itoa(seconds(w.reset)))
	if w.exhausted {
		h.Set(prefix+"Warning", rateLimitWarning)
	}
}

// RateLimitExceeded is the documented body of a 429.
type RateLimitExceeded struct {
	Message string `json:"message"`
	Scope   string `json:"scope"`
	Limit   int    `json:"limit"`
	Current int    `json:"current"`
	Reset   int    `json:"reset"`
}

// exceeded is the 429 body for a request sp refused.
func (sp spent) exceeded() RateLimitExceeded {
	w := sp.org
	if sp.refusedBy == ScopeRESTUser {
		w = sp.user
	}
	reset := seconds(w.reset)
	return RateLimitExceeded{
		Message: fmt.Sprintf("You have exceeded your API rate limit. Please wait %d seconds before making more requests.", reset),
		Scope:   sp.refusedBy, Limit: w.limit, Current: w.current, Reset: reset,
	}
}

// SetUserRateLimit changes the per-user window; every user's count starts
// again.
func (s *Server) SetUserRateLimit(l RateLimit) {
	s.mu.Lock()
	s.userRateLimit, s.userWindows = l, map[string]*rateWindow{}
	s.mu.Unlock()
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
	scopes := map[string]any{"rest": rest}
	// The graphql scope is the GraphQL endpoint's own window of points
	// (graphQLRateLimit, set where that endpoint is served); a sandbox
	// without one leaves the scope out rather than report zeros.
	if s.graphQLRateLimit != nil {
		scopes["graphql"] = s.graphQLRateLimit(now)
	}
	return ok(map[string]any{"scopes": scopes})
}

// peekWindow is spend without spending.
func (s *Server) peekWindow(now time.Time) (limit, remaining int, reset time.Duration, over bool) {
	l, w := s.rateLimit, s.window
	if w.start.IsZero() || now.Sub(w.start) >= l.Window {
		return l.Limit, l.Limit, l.Window, false
	}
	return l.Limit, l.Limit - w.used, w.start.Add(l.Window).Sub(now), w.used >= l.Limit
}
