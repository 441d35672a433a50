package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
)

// session is what a runbook command runs with: the same settings, budget
// and audit log as the console, the actor being the OS user via "cli".
type session struct {
	client  *api.Client
	backend *Backend
	log     *audit.Log
	stderr  io.Writer
	// stopWatch ends the budget watcher (watchBudget).
	stopWatch func()
}

// cliActor is the person running a command: the OS user, and "cli" so
// the audit log tells a script's change from one made at the console.
func cliActor() audit.Actor {
	a := audit.LocalActor()
	a.Via = "cli"
	return a
}

// openSession resolves the settings (warnings to stderr, as the console
// gives them), opens the audit log and connects.
func openSession(ctx context.Context, stderr io.Writer, opts rootOptions, getenv func(string) string) (*session, error) {
	settings, log, err := prepare(ctx, stderr, opts, getenv)
	if err != nil {
		return nil, err
	}
	org := settings.Org
	if opts.demo {
		org = "demo"
	}
	hook := log.Hook(cliActor(), org, func(err error) { fmt.Fprintln(stderr, "audit log:", err) })
	locked := &lockedWriter{w: stderr}
	backend, stopWatch, err := openCommandBackend(opts, settings, hook, locked)
	if err != nil {
		_ = log.Close()
		return nil, err
	}
	return &session{client: backend.Client, backend: backend, log: log, stderr: locked, stopWatch: stopWatch}, nil
}

func (s *session) Close() {
	s.stopWatch()
	s.backend.Close()
	_ = s.log.Close()
}

// note prints a line for the person (not for the script reading stdout).
func (s *session) note(format string, args ...any) {
	fmt.Fprintf(s.stderr, format+"\n", args...)
}
