package cli

import (
	"io"
	"sync"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
)

// budgetWatchEvery is how often a command looks at the client's budget
// while it runs; tests shorten it.
var budgetWatchEvery = 250 * time.Millisecond

// watchBudget tells the person, on stderr, when the organisation's API
// budget is spent and the client is waiting for the window to reset
// (after a 429 the client holds every request, for up to a minute). A
// runbook step that says nothing for a minute looks hung, and is
// interrupted and run again, which spends more of the same budget.
// Each hold is said once. stop ends the watch; it returns once the
// watcher has stopped writing.
func watchBudget(c *api.Client, w io.Writer) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// On the client's clock, which its holds are waited on.
		tick := c.Clock().NewTicker(budgetWatchEvery)
		defer tick.Stop()
		var said time.Time
		for {
			select {
			case <-done:
				return
			case <-tick.Chan():
			}
			held := c.Budget().HeldUntil
			if wait := held.Sub(c.Now()); wait > 0 && !held.Equal(said) {
				said = held
				_, _ = io.WriteString(w, "the organisation's API budget is spent (429): waiting "+
					wait.Round(time.Second).String()+" for its window to reset (Ctrl-C stops)\n")
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
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
