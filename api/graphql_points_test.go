package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// queryStats asks the sandbox for each GraphQL reply's complexity in its
// body (Buildkite-Include-Query-Stats, as a client that cannot read the
// headers would) and adds up what the queries were charged, by their
// operation's name.
type queryStats struct {
	mu      sync.Mutex
	charged map[string]int
	queries map[string]int
}

func newQueryStats() *queryStats {
	return &queryStats{charged: map[string]int{}, queries: map[string]int{}}
}

var operationName = regexp.MustCompile(`query\s+(\w+)`)

func (s *queryStats) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != sandbox.GraphQLPath {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			Query string `json:"query"`
		}
		_ = json.Unmarshal(body, &req)
		name := ""
		if m := operationName.FindStringSubmatch(req.Query); m != nil {
			name = m[1]
		}
		r.Header.Set("Buildkite-Include-Query-Stats", "true")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var rp struct {
			Stats *struct {
				ActualComplexity int `json:"actualComplexity"`
			} `json:"stats"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &rp)
		if rp.Stats != nil {
			s.mu.Lock()
			s.charged[name] += rp.Stats.ActualComplexity
			s.queries[name]++
			s.mu.Unlock()
		}
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// take is what the queries since the last take were charged, in all and
// by operation, and how many there were of each.
func (s *queryStats) take() (total int, charged, queries map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	charged, queries = maps.Clone(s.charged), maps.Clone(s.queries)
	for _, v := range charged {
		total += v
	}
	clear(s.charged)
	clear(s.queries)
	return total, charged, queries
}

// The points a count reports are every query it sent, the pages of
// waiting jobs that prove the longest wait included: on a queue whose
// sample of waiting jobs proves nothing, QueueCounts and ClusterCounts
// report, through the context's PointsMeter, what the sandbox charged
// every one of their queries (its query stats), and so does the budget's
// GraphQL user window. The PAUSED part of the home count is told apart.
func TestAReadReportsThePointsOfEveryQueryItSent(t *testing.T) {
	clock := sandboxtest.NewClock()
	stats := newQueryStats()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, Now: clock.Now, Quiet: true,
		GraphQLUserRateLimit: sandbox.DefaultGraphQLUserRateLimit}, stats.wrap)
	c := env.ClientWith(t, api.Config{Clock: clock})
	prod, deploy := sandboxtest.HoldDeploys(t, c, clock, 60)
	clusters, queues := allQueues(t, c)
	stats.take()

	ctx, meter := api.CountPoints(context.Background())
	counts, err := c.QueueCounts(ctx, queues)
	if err != nil {
		t.Fatal(err)
	}
	total, charged, sent := stats.take()
	if sent["OldestWaiting"] < 2 {
		t.Fatalf("%d pages of waiting jobs read (%v): the state does not need them", sent["OldestWaiting"], sent)
	}
	if got := counts[deploy.ID]; got.Waiting <= 60 || got.OldestAtLeast {
		t.Fatalf("the deploy queue: %d waiting, at least %v", got.Waiting, got.OldestAtLeast)
	}
	if meter.Points() != total {
		t.Errorf("QueueCounts reported %d points; the sandbox charged %d (%v over %v)", meter.Points(), total, charged, sent)
	}
	t.Logf("every queue: %d points (%v over %v)", meter.Points(), charged, sent)
	b := c.Budget()
	used := b.GraphQLUser.Limit - b.GraphQLUser.Remaining
	if used != total {
		t.Errorf("the budget's user window has %d points used; the sandbox charged %d", used, total)
	}

	ctx, meter = api.CountPoints(context.Background())
	home, err := c.ClusterCounts(ctx, clusters, true)
	if err != nil {
		t.Fatal(err)
	}
	total, charged, sent = stats.take()
	if sent["OldestWaiting"] < 2 || home.Clusters[prod.ID].OldestAtLeast {
		t.Fatalf("the home count read %d pages of waiting jobs (%v), at least %v", sent["OldestWaiting"], sent, home.Clusters[prod.ID].OldestAtLeast)
	}
	if meter.Points() != total {
		t.Errorf("ClusterCounts reported %d points; the sandbox charged %d (%v over %v)", meter.Points(), total, charged, sent)
	}
	if home.DispatchPoints != charged["ClusterQueues"] || home.DispatchPoints == 0 {
		t.Errorf("ClusterCounts said its PAUSED part cost %d points; the sandbox charged %d (%v)", home.DispatchPoints, charged["ClusterQueues"], charged)
	}
	t.Logf("home with PAUSED: %d points (%v over %v), the PAUSED part %d", meter.Points(), charged, sent, home.DispatchPoints)
	b = c.Budget()
	if used, want := b.GraphQLUser.Limit-b.GraphQLUser.Remaining, used+total; used != want {
		t.Errorf("the budget's user window has %d points used; the sandbox charged %d", used, want)
	}
}
