package common

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
)

// OutcomeUnknown is an error after which a change may or may not have
// been made: no answer in time, or a connection lost on the way.
func OutcomeUnknown(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, api.ErrReadOnly) {
		return false
	}
	var apiErr *api.Error
	return !errors.As(err, &apiErr)
}

// Deferred reports a background refresh the budget put off: nothing
// failed, and nothing needs saying.
func Deferred(err error) bool { return errors.Is(err, api.ErrDeferred) }

// LoadFailed is what a screen does with the error of loading what (an
// agent, a token, a queue) before it takes the reply: nothing for a load
// the budget put off (the screen keeps what it shows), an error flash for
// one that failed; done is false when the reply carries what was loaded.
func LoadFailed(err error, what string) (cmd tea.Cmd, done bool) {
	switch {
	case Deferred(err):
		return nil, true
	case err != nil:
		return Flash(FlashError, "could not load the "+what+": "+ErrorText(err)), true
	}
	return nil, false
}

// ErrorText is what a person needs from an error: the server's message,
// or what went wrong with the request. It never holds a token.
func ErrorText(err error) string {
	var apiErr *api.Error
	switch {
	case errors.As(err, &apiErr):
		// The API's own hint: a 401 says the token was not accepted (it
		// has no scope to name), a 403 names the scope, a 429 which limit.
		// Scope alone is not it: on a 429 it names the limit (rest_user).
		s := apiErr.Summary()
		if hint := apiErr.Hint(); hint != "" {
			s += " (" + hint + ")"
		}
		return Clean(s)
	case errors.Is(err, api.ErrReadOnly):
		return "read-only mode: changes are turned off"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, api.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "the API did not answer in time: whether it was done is unknown (r refreshes)"
	}
	// A request that did not reach the API: the cause first, since
	// "Get "https://…/v2/organizations/acme/agents?…": dial tcp …:
	// connection refused" is cut on a line before it says why. The
	// client's own errors carry the transport's without its URL ("GET
	// /v2/…: dial tcp 127.0.0.1:8089: connect: connection refused").
	var cause error
	host := ""
	var urlErr *url.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &urlErr):
		cause = urlErr.Err
		if u, perr := url.Parse(urlErr.URL); perr == nil {
			host = " at " + u.Host
		}
	case errors.As(err, &opErr) && opErr.Addr != nil:
		cause = opErr
		host = " at " + opErr.Addr.String()
	}
	if cause != nil {
		if errors.As(cause, &opErr) && opErr.Err != nil {
			cause = opErr.Err
		}
		var sysErr *os.SyscallError
		if errors.As(cause, &sysErr) && sysErr.Err != nil {
			cause = sysErr.Err
		}
		return Clean("could not reach the API (" + cause.Error() + ")" + host)
	}
	return Clean(err.Error())
}
