package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// The simulation writes failing as Buildkite does: a build with a hard
// failure whose other jobs still run or wait; it is failed once they are
// done. The console's queue counts, from the API, match the sandbox's own
// account of every queue while such builds are under way.
func TestAFailingBuildsJobsCountOnTheirQueues(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	ctx := context.Background()
	var failing []model.Build
	for i := 0; i < 120 && len(failing) == 0; i++ {
		clock.Add(30 * time.Second)
		for _, b := range must[[]model.Build](t)(env.Client.ListBuilds(ctx, model.BuildFilter{States: []string{model.BuildFailing}}, nil)) {
			if b.State != model.BuildFailing || b.FailingAt == nil {
				t.Fatalf("the failing filter gave build %d in %s (failing_at %v)", b.Number, b.State, b.FailingAt)
			}
			for _, j := range b.Jobs {
				if model.JobWaitingForAgent(j.State) || model.JobOnAgent(j.State) {
					failing = append(failing, b)
					break
				}
			}
		}
	}
	if len(failing) == 0 {
		t.Fatal("no failing build with jobs still to run in an hour of simulation")
	}
	loads := must[map[string]model.QueueLoad](t)(env.Client.QueueLoads(ctx))
	queues := map[string]bool{}
	for q := range loads {
		queues[q] = true
	}
	for _, b := range failing {
		for _, j := range b.Jobs {
			if q := model.Value(j.ClusterQueueID); q != "" {
				queues[q] = true
			}
		}
	}
	for q := range queues {
		w, r := env.Sandbox.QueueJobs(q)
		if l := loads[q]; l.Waiting != w || l.Running != r {
			t.Errorf("queue %s: the console counts %d waiting, %d running; the sandbox has %d, %d", q, l.Waiting, l.Running, w, r)
		}
	}
}
