package ui

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// queryHolder holds the GraphQL queries (POSTs to the sandbox's GraphQL
// path) while holding is on, and records those whose client gave up on
// them meanwhile.
type queryHolder struct {
	holding     atomic.Bool
	held, given atomic.Int32
	release     chan struct{}
	once        sync.Once
}

func newQueryHolder() *queryHolder { return &queryHolder{release: make(chan struct{})} }

func (h *queryHolder) letGo() { h.once.Do(func() { close(h.release) }) }

func (h *queryHolder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == sandbox.GraphQLPath && h.holding.Load() {
			h.held.Add(1)
			// The server notices a client that gave up only once the
			// request's body is read.
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			select {
			case <-r.Context().Done():
				h.given.Add(1)
				return
			case <-h.release:
			}
		}
		next.ServeHTTP(w, r)
	})
}

// A cluster's screen covered by another spends no GraphQL points: the
// count query it had in flight is given up when the screen is covered,
// and none is sent while it stays covered, however many refreshes pass
// (issue 28: api.ReadsWhile stopped REST's GETs only, so a covered
// screen's counts still ran). Shown again, it counts.
func TestACoveredScreenMakesNoGraphQLReads(t *testing.T) {
	t.Parallel()
	const every = 30 * time.Second
	h := newQueryHolder()
	d := startDriver(t, driverOptions{width: 120, height: 30, refresh: every, wrap: h.wrap})
	t.Cleanup(h.letGo)
	d.waitFor("Mobile", "PAUSED")
	h.holding.Store(true)
	d.keys("/")
	d.typeText("mobile")
	d.keys("enter", "enter")
	d.waitShown("macos-large", "Queues (3)")
	eventuallyTrue(t, "the cluster's count query reached the sandbox", func() bool { d.frame(); return h.held.Load() >= 1 })
	// The pipelines' list covers the cluster; it counts nothing from
	// GraphQL.
	d.open(func(c *common.Common) common.Screen { return screen.NewPipelinesScreen(c).ListScreen })
	d.waitShown("acme › Mobile › Pipelines")
	eventuallyTrue(t, "the covered cluster gave up its count query", func() bool {
		d.frame()
		return h.given.Load() == h.held.Load()
	})
	h.holding.Store(false)
	h.letGo()
	d.waitFor("Pipelines", "RUN/SCH/WAIT")
	from := len(d.env.Sandbox.Requests())
	for range 6 {
		d.advance(every)
	}
	d.settle()
	if n := graphQLRequests(d.env, from); n != 0 {
		t.Fatalf("%d GraphQL queries in 3 minutes with the cluster covered, want none", n)
	}
	// Shown again, the cluster counts its queues.
	from = len(d.env.Sandbox.Requests())
	d.keys("esc")
	countsShown(d, "macos-large", "Queues (3)")
	if graphQLRequests(d.env, from) == 0 {
		t.Fatal("the cluster, shown again, did not count from GraphQL")
	}
}
