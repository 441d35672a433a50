package api_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// A count made under ReadsWhile once what it is for is no longer shown
// sends no query and ends as ErrNotShown, a deferral: GraphQL is not said
// to be unavailable for it (the counts would fall back to REST).
func TestAGraphQLCountOfWhatIsNotShownIsNotSent(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	c := env.Client
	clusters, queues := allQueues(t, c)
	shown, hide := context.WithCancel(context.Background())
	hide()
	env.Sandbox.ResetRequests()
	ctx := api.ReadsWhile(context.Background(), shown)
	if _, err := c.QueueCounts(ctx, queues); !errors.Is(err, api.ErrNotShown) || !errors.Is(err, api.ErrDeferred) {
		t.Fatalf("QueueCounts of what is not shown: %v, want ErrNotShown", err)
	}
	if _, err := c.ClusterCounts(ctx, clusters, true); !errors.Is(err, api.ErrNotShown) {
		t.Fatalf("ClusterCounts of what is not shown: %v, want ErrNotShown", err)
	}
	if n := len(env.Sandbox.Requests()); n != 0 {
		t.Fatalf("%d requests for counts not shown, want none", n)
	}
	if u := c.GraphQLUnavailable(); u != nil {
		t.Fatalf("a count not shown says GraphQL is unavailable: %v", u)
	}
	// Shown, the same count is sent.
	if _, err := c.QueueCounts(api.ReadsWhile(context.Background(), context.Background()), queues); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Sandbox.Requests()); n == 0 {
		t.Fatal("a count of what is shown was not sent")
	}
}
