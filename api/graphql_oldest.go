package api

import (
	"context"
	"encoding/json"
	"time"
)

// The longest wait of a queue's (or a cluster's) waiting jobs is the
// earliest runnableAt among them. Buildkite's GraphQL API cannot order
// jobs by it: Organization.jobs orders by creation (JobOrder's
// RECENTLY_CREATED, the default, or RECENTLY_ASSIGNED, which a waiting
// job has no time for), and filters by state, queue and creation time,
// never by runnableAt. What bounds it is that a job becomes runnable only
// after it is created: read earliest created first (`last:` of the
// newest-first order), the jobs not yet read were created no earlier
// than the last one read, so none of them became runnable before that.
// The reading stops, exact, once the earliest runnableAt found is no
// later than the creation of the newest job read, or every waiting job
// is read.
//
// A count's query reads a sample (three jobs a queue, one a cluster),
// which proves the longest wait in the usual case: the first-created job
// was runnable at once, or no more wait than the sample. Only a sample
// that proves nothing is read further, page by page (OldestWaiting),
// within oldestPoints a count. A wait the pages did not prove is shown
// as "at least" (LiveCount.OldestAtLeast): a job did wait that long.

// oldestPoints bounds the points one count spends on pages of waiting
// jobs: ten pages of 25 (28 points asked each). They are read only where the
// sample proves nothing: idle on the large organisation's home, a cluster
// or a queue, none were (BenchmarkLargeCounts).
const oldestPoints = 290

var oldestWaitingQuery = loadTemplate("oldest_waiting.graphql", "queue")

// waitingReply is the waiting jobs' count and the earliest created of
// them; pageInfo, when asked for, pages on to later ones.
type waitingReply struct {
	Count    int `json:"count"`
	PageInfo *struct {
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Node *struct {
			CreatedAt   *time.Time `json:"createdAt"`
			RunnableAt  *time.Time `json:"runnableAt"`
			ScheduledAt *time.Time `json:"scheduledAt"`
		} `json:"node"`
	} `json:"edges"`
}

// oldest is the earliest of the jobs' runnableAt (scheduledAt for a job
// that has none), as model.LoadByQueue reads REST's jobs.
func (w waitingReply) oldest() time.Time {
	var out time.Time
	for _, e := range w.Edges {
		if e.Node == nil {
			continue
		}
		t := e.Node.RunnableAt
		if t == nil || t.IsZero() {
			t = e.Node.ScheduledAt
		}
		if t != nil && !t.IsZero() && (out.IsZero() || t.Before(out)) {
			out = t.UTC()
		}
	}
	return out
}

// newestCreated is the creation of the latest-created job read: every job
// not read was created no earlier.
func (w waitingReply) newestCreated() time.Time {
	var out time.Time
	for _, e := range w.Edges {
		if e.Node != nil && e.Node.CreatedAt != nil && e.Node.CreatedAt.After(out) {
			out = *e.Node.CreatedAt
		}
	}
	return out
}

// provesOldest says whether a count's sample of the earliest-created
// waiting jobs proves the longest wait: it holds every waiting job, or
// one of them was runnable before the newest of them was created.
func (w waitingReply) provesOldest() bool {
	if w.Count <= len(w.Edges) {
		return true
	}
	return provedBy(w.oldest(), w.newestCreated())
}

func provedBy(oldest, newestCreated time.Time) bool {
	return !oldest.IsZero() && !newestCreated.IsZero() && !oldest.After(newestCreated)
}

// oldestProbe is a longest wait being proved: the queue's or cluster's
// variables for OldestWaiting, the earliest runnableAt read so far, and
// where the next page starts.
type oldestProbe struct {
	id     string
	of     map[string]any
	oldest time.Time
	before string
	exact  bool
}

// take reads a page: the earliest runnableAt so far, and whether it is
// proved (or every job is read).
func (p *oldestProbe) take(w waitingReply) {
	if o := w.oldest(); !o.IsZero() && (p.oldest.IsZero() || o.Before(p.oldest)) {
		p.oldest = o
	}
	switch {
	case w.PageInfo == nil || !w.PageInfo.HasPreviousPage || w.PageInfo.StartCursor == nil,
		provedBy(p.oldest, w.newestCreated()):
		p.exact = true
	default:
		p.before = *w.PageInfo.StartCursor
	}
}

// settleOldest reads pages of the probes' waiting jobs, all open probes'
// in one query a round, until each is proved or oldestPoints are spent.
func (c *Client) settleOldest(ctx context.Context, probes []*oldestProbe) error {
	for spent := 0; ; {
		var open []*oldestProbe
		for _, p := range probes {
			if !p.exact {
				open = append(open, p)
			}
		}
		open = open[:min(len(open), (oldestPoints-spent)/oldestWaitingQuery.itemPoints)]
		if len(open) == 0 {
			return nil
		}
		spent += len(open) * oldestWaitingQuery.itemPoints
		items := make([]map[string]any, len(open))
		for i, p := range open {
			items[i] = map[string]any{}
			for k, v := range p.of {
				items[i][k] = v
			}
			if p.before != "" {
				items[i]["before"] = p.before
			}
		}
		err := c.runCountsEach(ctx, oldestWaitingQuery, items, func(i int, fields map[string]json.RawMessage) error {
			var w waitingReply
			if err := json.Unmarshal(fields["waiting"], &w); err != nil {
				return err
			}
			open[i].take(w)
			return nil
		})
		if err != nil {
			return err
		}
	}
}
