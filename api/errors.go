package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Error is a reply from the API that was not a success.
type Error struct {
	StatusCode int
	Method     string
	Path       string
	// Message is the server's own message ({"message": ...}), or the
	// status text when the reply had none.
	Message string
	// Errors are the details of a validation failure, one line each
	// ("name: Name has already been taken").
	Errors []string
	// Scope is the API token scope the endpoint needs; set on 403 only: a
	// 401 is a token the API did not accept at all, and no scope mends it.
	Scope string
	// Limit is which rate limit a 429 hit: LimitOrganization (the
	// organisation's, shared by every user) or LimitUser (the caller's
	// own); empty when the reply did not say.
	Limit string
}

// Rate limits a 429 names, as the reply's scope field (or the
// RateLimit-* / RateLimit-User-* headers) tell them.
const (
	LimitOrganization = "rest"
	LimitUser         = "rest_user"
)

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, e.Summary())
	if hint := e.Hint(); hint != "" {
		fmt.Fprintf(&b, " (%s)", hint)
	}
	return b.String()
}

// Hint says what the status means for the person at the console: a 401
// that the token was not accepted, a 403 the scope the token lacks, a 429
// whose limit was spent. Empty for other errors.
func (e *Error) Hint() string {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "the API token was not accepted: it may be mistyped, revoked or expired"
	case http.StatusForbidden:
		// Buildkite's own message names the scope when a token lacks
		// it; the hint would say it twice.
		if e.Scope != "" && !strings.Contains(e.Message, e.Scope) {
			return "this needs an API token with the " + e.Scope + " scope"
		}
	case http.StatusTooManyRequests:
		switch e.Limit {
		case LimitOrganization:
			return "the organisation's request limit is spent, for every user until it resets"
		case LimitUser:
			return "your own request limit is spent; the organisation's is not"
		}
	}
	return ""
}

// Summary is the server's message with its details, for showing to a
// person: "Validation Failed: name: Name has already been taken".
func (e *Error) Summary() string {
	if len(e.Errors) == 0 {
		return e.Message
	}
	return e.Message + ": " + strings.Join(e.Errors, "; ")
}

// Is lets errors.Is match an *Error by status: errors.Is(err, &api.Error{StatusCode: 404}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.StatusCode == e.StatusCode && t.Message == "" && t.Path == ""
}

// Common errors to match with errors.Is.
var (
	ErrNotFound      = &Error{StatusCode: http.StatusNotFound}
	ErrUnprocessable = &Error{StatusCode: http.StatusUnprocessableEntity}
	ErrUnauthorized  = &Error{StatusCode: http.StatusUnauthorized}
	ErrForbidden     = &Error{StatusCode: http.StatusForbidden}
	ErrRateLimited   = &Error{StatusCode: http.StatusTooManyRequests}
)

// newError reads the API's error reply: {"message": "...", "errors": [...]},
// where each entry of errors is a string or an object with field and
// message. Anything else (an HTML page from a proxy) gives the status text
// alone: such a body is never shown.
func newError(req request, path string, status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Method: req.method, Path: path}
	var parsed struct {
		Message string            `json:"message"`
		Errors  []json.RawMessage `json:"errors"`
		Scope   string            `json:"scope"` // of a 429: rest or rest_user
	}
	if json.Unmarshal(body, &parsed) == nil {
		e.Message = strings.TrimSpace(parsed.Message)
		for _, raw := range parsed.Errors {
			if line := errorLine(raw); line != "" {
				e.Errors = append(e.Errors, line)
			}
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = fmt.Sprintf("HTTP %d", status)
		}
	}
	switch status {
	case http.StatusForbidden:
		e.Scope = req.scope
	case http.StatusTooManyRequests:
		e.Limit = rateLimitHit(parsed.Scope, header)
	}
	return e
}

// rateLimitHit tells which limit a 429 hit: the body's scope when it
// names one, else the set of headers whose remaining count is spent (the
// user's first: a request counts against both, and the user's limit is
// the smaller).
func rateLimitHit(scope string, header http.Header) string {
	switch strings.TrimSpace(scope) {
	case LimitOrganization, LimitUser:
		return scope
	}
	spent := func(name string) bool {
		v := strings.TrimSpace(header.Get(name))
		return v != "" && strings.TrimLeft(v, "0") == ""
	}
	switch {
	case spent("RateLimit-User-Remaining"):
		return LimitUser
	case spent("RateLimit-Remaining"):
		return LimitOrganization
	}
	return ""
}

func errorLine(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	switch {
	case obj.Message != "" && obj.Field != "":
		return obj.Field + ": " + obj.Message
	case obj.Message != "":
		return obj.Message
	case obj.Field != "":
		return obj.Field + ": " + strings.ReplaceAll(obj.Code, "_", " ")
	}
	return ""
}
