package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/fang/v2"
	"github.com/charmbracelet/x/term"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

// Exit codes of the command line: a runbook script branches on them.
const (
	// ExitOK: every target is in the asked state (a repeat included).
	ExitOK = 0
	// ExitFailed: something failed; the API's message is printed per target.
	ExitFailed = 1
	// ExitUsage: an unknown flag or command, a name that matches no
	// target or more than one, or a change to several targets not
	// confirmed (no terminal and no --yes, or answered no).
	ExitUsage = 2
	// ExitRefused: refused before or by the API: read-only mode, or a token
	// without the scope the change needs (the scope is named).
	ExitRefused = 3
	// exitInterrupted is the shell's code for Ctrl-C.
	exitInterrupted = 130
)

// exitCodesHelp is the exit codes as --help and the README give them.
const exitCodesHelp = "Exit codes:\n" +
	"    0  every target is in the asked state (pausing a paused queue included)\n" +
	"    1  something failed; the API's message is printed for each target\n" +
	"    2  usage: an unknown flag or command, a name that is unknown or ambiguous, or several targets not\n" +
	"       confirmed (no terminal to ask and no --yes, or answered no); nothing was changed\n" +
	"    3  refused: --read-only, or the API token lacks the scope the change needs (the scope is named)\n" +
	"  130  interrupted (Ctrl-C); the results so far are printed"

// exitError is an error with the exit code it ends the program with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(err error) error { return &exitError{code: ExitUsage, err: err} }

func usagef(format string, args ...any) error { return usageError(fmt.Errorf(format, args...)) }

// cobraUsage are the starts of the messages cobra gives a usage error in
// without a type of its own (an unknown command, a wrong count of
// arguments, a missing required flag).
var cobraUsage = []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
	"invalid argument", "accepts ", "requires at least", "requires at most", "required flag", "invalid flag",
	"bad flag syntax"}

func isUsage(err error) bool {
	var e *exitError
	if errors.As(err, &e) {
		return e.code == ExitUsage
	}
	msg := err.Error()
	for _, p := range cobraUsage {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// isRefused reports a change refused before it was sent (read-only) or
// by the API because of the token (403: a missing scope).
func isRefused(err error) bool {
	return errors.Is(err, api.ErrReadOnly) || errors.Is(err, api.ErrForbidden)
}

func exitCode(err error) int {
	var e *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &e):
		return e.code
	case isUsage(err):
		return ExitUsage
	case isRefused(err):
		return ExitRefused
	}
	return ExitFailed
}

// errorHandler prints the error that ends the program. Unlike fang's own
// handler it keeps the message's case (a path or a flag name is not
// title-cased), adds no full stop (a message that ends in a command to
// copy stays copyable), and cleans the text: an API error message is the
// server's text and must not reach the terminal raw.
func errorHandler(stderr io.Writer) fang.ErrorHandler {
	return func(w io.Writer, styles fang.Styles, err error) {
		msg := termsafe.Lines(err.Error())
		hint := isUsage(err) && !errors.Is(err, errNotConfirmed)
		if errors.Is(err, context.Canceled) {
			// Ctrl-C: "context canceled" is Go's word for it, not the
			// person's. What was done before it is in the results.
			msg = "interrupted"
		}
		if !isTerminal(stderr) {
			fmt.Fprintln(w, "Error: "+msg)
			if hint {
				fmt.Fprintln(w, "Try --help for usage.")
			}
			return
		}
		fmt.Fprintln(w, styles.ErrorHeader.String())
		fmt.Fprintln(w, styles.ErrorText.UnsetTransform().Render(msg))
		fmt.Fprintln(w)
		if hint {
			fmt.Fprintln(w, styles.ErrorText.UnsetTransform().Render("Try --help for usage."))
			fmt.Fprintln(w)
		}
	}
}

// isTerminal reports whether w is a terminal (not a pipe, a file or a
// test's buffer).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
