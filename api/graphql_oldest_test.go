package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// The longest wait from GraphQL is exact however many jobs wait, also
// when the earliest-created of them became runnable late: on a quiet
// organisation, builds of a deploy pipeline, made a second apart, wait at
// their block step (those that do not are canceled); the
// last made is unblocked first, the others a minute later, with the
// deploy queue's dispatch paused so that their deploy jobs wait. The
// queue's three earliest-created waiting jobs (what the count's query
// reads, and all the console read before) became runnable a minute after
// the longest wait began. QueueCounts and ClusterCounts give REST's
// longest wait (QueueLoads, every active build's jobs) for the queue, its
// cluster and every other queue.
func TestTheLongestWaitIsExactWhenTheEarliestCreatedWaitedLess(t *testing.T) {
	clock := sandboxtest.NewClock()
	var capture captureGraphQL
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, Now: clock.Now, Quiet: true}, capture.wrap)
	c := env.ClientWith(t, api.Config{Clock: clock})
	ctx := context.Background()
	clusters, queues := allQueues(t, c)
	clusterOf := map[string]string{}
	for _, cl := range clusters {
		qs, err := c.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			clusterOf[q.ID] = cl.ID
		}
	}
	// More than a page of jobs (OldestWaiting's 25) is read before the
	// longest wait is proved.
	_, deploy := sandboxtest.HoldDeploys(t, c, clock, 25+3)

	// REST's truth, and the deploy queue's waiting jobs as REST lists them.
	builds, err := c.ListBuilds(ctx, model.BuildFilter{States: model.BuildActiveStates}, nil)
	if err != nil {
		t.Fatal(err)
	}
	loads := model.LoadByQueue(builds)
	var waiting []model.Job
	for _, b := range builds {
		for _, j := range b.Jobs {
			if model.Value(j.ClusterQueueID) == deploy.ID && model.JobWaitingForAgent(j.State) {
				waiting = append(waiting, j)
			}
		}
	}
	slices.SortStableFunc(waiting, func(a, b model.Job) int { return a.CreatedAt.Compare(b.CreatedAt.Time) })
	truth := loads[deploy.ID].OldestWaiting
	if len(waiting) <= 3 {
		t.Fatalf("%d jobs wait on the deploy queue: the test needs more than 3", len(waiting))
	}
	for _, j := range waiting[:3] {
		if !j.RunnableAt.After(truth) {
			t.Fatalf("one of the 3 earliest-created waiting jobs has waited longest (%v): the test proves nothing", j.RunnableAt)
		}
	}

	counts, err := c.QueueCounts(ctx, queues)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queues {
		got, want := counts[q.ID], loads[q.ID]
		if got.Waiting != want.Waiting || !got.OldestWaiting.Equal(want.OldestWaiting) || got.OldestAtLeast {
			t.Errorf("queue %s: %d waiting since %v (at least: %v) over GraphQL, %d since %v over REST",
				q.Key, got.Waiting, got.OldestWaiting, got.OldestAtLeast, want.Waiting, want.OldestWaiting)
		}
	}
	home, err := c.ClusterCounts(ctx, clusters, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range clusters {
		var want time.Time
		for _, q := range queues {
			if o := loads[q.ID].OldestWaiting; clusterOf[q.ID] == cl.ID && !o.IsZero() && (want.IsZero() || o.Before(want)) {
				want = o
			}
		}
		if got := home.Clusters[cl.ID]; !got.OldestWaiting.Equal(want) || got.OldestAtLeast {
			t.Errorf("cluster %s: waiting since %v (at least: %v) over GraphQL, since %v over REST", cl.Name, got.OldestWaiting, got.OldestAtLeast, want)
		}
	}
	paged := 0
	for _, body := range capture.bodies {
		if strings.Contains(string(body), "query OldestWaiting") {
			paged++
		}
	}
	if paged < 2 {
		t.Errorf("%d queries of OldestWaiting's pages: the sample was trusted", paged)
	}
	validForThePublishedSchema(t, capture.bodies)
	t.Logf("deploy queue: %d waiting, the longest since %v; the 3 earliest-created runnable at %v, %v, %v",
		len(waiting), truth, waiting[0].RunnableAt, waiting[1].RunnableAt, waiting[2].RunnableAt)
}
