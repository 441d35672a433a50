package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/config"
)

// budgetWatchEvery is how often a command looks at the client's budget
// while it runs, besides when a request starts to wait; tests shorten it.
var budgetWatchEvery = 250 * time.Millisecond

// commandClock runs a command's client (the real clock when nil); tests
// give it the sandbox's fake clock.
var commandClock clockwork.Clock

// commandParallel is how many pages of a list a command (not the
// console) fetches at once unless told otherwise: a list of a user's
// whole window (50 pages) in four rounds after its first page. A command
// has its process to itself and holds a list only to print it, while
// the console keeps the organisation in memory for hours and shares its
// requests with a person's looks, so it keeps api.DefaultParallel. The
// API's rate limits, which the budget keeps to, bound what a longer list
// costs either way.
const commandParallel = 16

// openCommandBackend opens the backend for one command and starts its
// budget watcher (stop ends it). A command holds no reserve of the user's
// window for changes it will not make (api.Policy.NoReserve): a bulk list
// spends the whole window, as a naive client would, and waits only when
// nothing is left; each wait is said on stderr as it starts.
func openCommandBackend(opts rootOptions, s *config.Settings, onChange func(context.Context, api.ChangeEvent), stderr io.Writer) (*Backend, func(), error) {
	wake := make(chan struct{}, 1)
	backend, err := openBackend(opts, s, onChange, 0, func(cfg *api.Config) {
		cfg.Budget.NoReserve = true
		if cfg.Parallel <= 0 {
			cfg.Parallel = commandParallel
		}
		cfg.Clock = commandClock
		cfg.OnBudgetWait = func(until time.Time) {
			if until.IsZero() {
				return
			}
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return backend, watchBudget(backend.Client, stderr, wake), nil
}

// watchBudget tells the person, on stderr, when the client waits for a
// window of the API budget to reset: after a 429 (the client holds every
// request, for up to a minute), or with the window spent. It names the
// window ("your API budget (50/min)", "the organisation's API budget
// (200/min)"). A runbook step that says nothing for a minute looks hung,
// and is interrupted and run again, which spends more of the same
// budget. Each wait is said once, as it starts (wake) or at the next
// look. stop ends the watch; it returns once the watcher has stopped
// writing.
func watchBudget(c *api.Client, w io.Writer, wake <-chan struct{}) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// On the client's clock, which its holds are waited on.
		tick := c.Clock().NewTicker(budgetWatchEvery)
		defer tick.Stop()
		var said budgetNote
		for {
			select {
			case <-done:
				return
			case <-tick.Chan():
			case <-wake:
			}
			if note, text := nextBudgetNote(c.Budget(), c.Now(), said); text != "" {
				said = note
				_, _ = io.WriteString(w, text+"\n")
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// budgetNote is a wait said: its window and until when.
type budgetNote struct {
	scope string
	until time.Time
}

// sameReset is how far apart the ends of two waits for one window's
// reset may be: each request waiting for it adds its own margin (up to
// half a second), so the last wakes after the first said wait has
// ended; the next window's wait ends a window later.
const sameReset = 2 * time.Second

// nextBudgetNote is the line to say of b's wait at now, if it is not the
// one said last (a wait of the same window said before its end is the
// same wait, however many requests share it).
func nextBudgetNote(b api.Budget, now time.Time, said budgetNote) (budgetNote, string) {
	if wait := b.HeldUntil.Sub(now); wait > 0 {
		scope := b.HeldScope
		if scope != api.ScopeUser {
			scope = api.ScopeOrg
		}
		if said.scope == scope && !said.until.Before(b.HeldUntil) {
			return said, ""
		}
		limit := b.Org.Limit
		if scope == api.ScopeUser {
			limit = b.User.Limit
		}
		return budgetNote{scope, b.HeldUntil}, fmt.Sprintf("%s is spent (429): waiting %s for its window to reset (Ctrl-C stops)",
			api.WindowSentence(scope, limit), wait.Round(time.Second))
	}
	if b.WaitingUntil.After(now) {
		if said.scope == b.WaitingScope && (now.Before(said.until) || b.WaitingUntil.Sub(said.until) < sameReset) {
			return said, ""
		}
		return budgetNote{b.WaitingScope, b.WaitingUntil}, "waiting for " + b.WaitSentence(now) + ": the window is spent until it resets (Ctrl-C stops)"
	}
	return said, ""
}

// lockedWriter lets the budget watcher and a command write to stderr at
// once, a line each.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
