package cli

import (
	"context"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// liveQueueRefs is every queue of the demo organisation on its live
// simulation, moved on until a failing build has a job waiting or
// running, then standing still; and a client on its clock.
func liveQueueRefs(t *testing.T, opts sandbox.Options) (*sandboxtest.Env, *api.Client, []queueRef) {
	t.Helper()
	clock := sandboxtest.NewClock()
	opts.Clock, opts.Now = clock, clock.Now
	env := sandboxtest.Start(t, opts, nil)
	c := env.ClientWith(t, api.Config{Clock: clock})
	ctx := context.Background()
	for step := 0; ; step++ {
		failing, err := c.ListBuilds(ctx, model.BuildFilter{States: []string{model.BuildFailing}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		active := false
		for _, b := range failing {
			for _, j := range b.Jobs {
				active = active || model.JobWaitingForAgent(j.State) || model.JobOnAgent(j.State)
			}
		}
		if active {
			break
		}
		if step == 500 {
			t.Fatal("no failing build with an active job in 500 steps")
		}
		clock.Add(10 * time.Second)
	}
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var refs []queueRef
	for _, cl := range clusters {
		qs, err := c.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			refs = append(refs, queueRef{Cluster: cl, Queue: q})
		}
	}
	return env, c, refs
}

func sentSince(env *sandboxtest.Env, from int) (graphQL, rest int) {
	for _, r := range env.Sandbox.Requests()[from:] {
		if r.Path == sandbox.GraphQLPath {
			graphQL++
		} else {
			rest++
		}
	}
	return graphQL, rest
}

// TestQueueCountsComeFromGraphQLAndEqualREST: `queue list` and `queue
// show` count from GraphQL (no REST request), and the numbers are REST's
// on the same state, a failing build's jobs included.
func TestQueueCountsComeFromGraphQLAndEqualREST(t *testing.T) {
	t.Parallel()
	env, c, refs := liveQueueRefs(t, sandbox.Options{})
	ctx := context.Background()
	from := len(env.Sandbox.Requests())
	got, err := countQueues(ctx, c, refs)
	if err != nil {
		t.Fatal(err)
	}
	if graphQL, rest := sentSince(env, from); graphQL == 0 || rest != 0 {
		t.Errorf("counting sent %d GraphQL and %d REST requests; want GraphQL only", graphQL, rest)
	}
	want, err := restCounts(ctx, c, refs)
	if err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, r := range refs {
		g, w := got[r.Queue.ID], want[r.Queue.ID]
		sameWait := g.LongestWaitSeconds == w.LongestWaitSeconds || (w.JobsWaiting > 3 && g.LongestWaitSeconds <= w.LongestWaitSeconds)
		if g.AgentsConnected != w.AgentsConnected || g.AgentsBusy != w.AgentsBusy || g.AgentsPaused != w.AgentsPaused ||
			g.JobsWaiting != w.JobsWaiting || g.JobsRunning != w.JobsRunning || !sameWait {
			t.Errorf("%s: GraphQL %+v, REST %+v", r.name(), g, w)
		}
		waiting += w.JobsWaiting
	}
	if waiting == 0 {
		t.Fatal("nothing waits: the test compares nothing")
	}
}

// TestQueueCountsFallBackToRESTWithoutGraphQLAccess: a token GraphQL
// refuses still gets its counts, from REST.
func TestQueueCountsFallBackToRESTWithoutGraphQLAccess(t *testing.T) {
	t.Parallel()
	env, c, refs := liveQueueRefs(t, sandbox.Options{NoGraphQLAccess: true})
	from := len(env.Sandbox.Requests())
	got, err := countQueues(context.Background(), c, refs)
	if err != nil {
		t.Fatal(err)
	}
	if graphQL, rest := sentSince(env, from); graphQL != 1 || rest == 0 {
		t.Errorf("counting sent %d GraphQL and %d REST requests; want the one refused, then REST", graphQL, rest)
	}
	if len(got) != len(refs) {
		t.Errorf("%d queues counted of %d", len(got), len(refs))
	}
}
