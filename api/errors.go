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
	// Scope is the API token scope the endpoint needs; set on 401 and 403.
	Scope string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, e.Summary())
	if e.Scope != "" {
		fmt.Fprintf(&b, " (this needs an API token with the %s scope)", e.Scope)
	}
	return b.String()
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
func newError(req request, path string, status int, _ http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Method: req.method, Path: path}
	var parsed struct {
		Message string            `json:"message"`
		Errors  []json.RawMessage `json:"errors"`
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
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		e.Scope = req.scope
	}
	return e
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
