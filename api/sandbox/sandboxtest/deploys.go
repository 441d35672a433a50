package sandboxtest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// HoldDeploys makes a queue whose longest wait a count's sample of its
// earliest-created waiting jobs does not prove: every one of them has to
// be read. On a quiet sandbox on clock (sandbox.Options{Clock: clock,
// Now: clock.Now, Quiet: true}), builds of the deploy-production pipeline,
// made a second apart, wait at their block step (those that do not are
// canceled) until more than atLeast do; the last made is unblocked first,
// the others a minute later, with the Production cluster's deploy queue's
// dispatch paused so that their deploy jobs wait. So the longest wait
// began after every waiting job was created. It returns the cluster and
// the queue.
func HoldDeploys(t testing.TB, c *api.Client, clock *Clock, atLeast int) (model.Cluster, model.Queue) {
	t.Helper()
	ctx := context.Background()
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var prod model.Cluster
	var deploy model.Queue
	for _, cl := range clusters {
		if cl.Name != "Production" {
			continue
		}
		qs, err := c.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if q.Key == "deploy" {
				prod, deploy = cl, q
			}
		}
	}
	if prod.ID == "" || deploy.ID == "" {
		t.Fatal("no Production cluster with a deploy queue")
	}
	const slug = "deploy-production"
	var numbers []int
	blocked := func() map[int]string {
		builds, err := c.ListPipelineBuilds(ctx, slug, model.BuildFilter{States: []string{model.BuildBlocked}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int]string{}
		for _, b := range builds {
			for _, j := range b.Jobs {
				if j.State == model.JobBlocked && slices.Contains(numbers, b.Number) {
					out[b.Number] = j.ID
				}
			}
		}
		return out
	}
	// Now and then a test job lands on a queue without agents, and its
	// build never reaches the block step; the builds share the cluster's
	// few agents. So builds are made a batch at a time, ten minutes apart,
	// until more than atLeast wait at the block.
	waits := blocked()
	for rounds := 0; len(waits) <= atLeast && rounds < 100; rounds++ {
		for range 50 {
			b, err := c.CreateBuild(ctx, slug, model.BuildCreate{Commit: "HEAD", Branch: "main", Message: "ship it"})
			if err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, b.Number)
			clock.Add(time.Second)
		}
		for range 60 {
			clock.Add(10 * time.Second)
		}
		waits = blocked()
	}
	if len(waits) <= atLeast {
		t.Fatalf("only %d of %d builds reached their block step", len(waits), len(numbers))
	}
	// Those that still run (a test job waiting on no agent) go.
	active, err := c.ListPipelineBuilds(ctx, slug, model.BuildFilter{States: model.BuildActiveStates}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range active {
		if _, ok := waits[b.Number]; !ok && slices.Contains(numbers, b.Number) {
			if _, err := c.CancelBuild(ctx, slug, b.Number); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := c.PauseQueue(ctx, prod.ID, deploy.ID, "holding the deploys"); err != nil {
		t.Fatal(err)
	}
	var order []int
	for n := range waits {
		order = append(order, n)
	}
	slices.Sort(order)
	last := order[len(order)-1]
	unblock := func(n int) {
		if _, err := c.UnblockJob(ctx, slug, n, waits[n], map[string]string{"release-name": "r", "environment": "staging"}); err != nil {
			t.Fatal(err)
		}
	}
	unblock(last)
	clock.Add(time.Minute)
	for _, n := range order[:len(order)-1] {
		unblock(n)
	}
	clock.Add(time.Minute)
	return prod, deploy
}
