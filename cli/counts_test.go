package cli

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// A failing build (a hard failure while its other jobs still run or
// wait, as Buildkite writes it) keeps its waiting jobs on their queue:
// `queue list --json` counts them, as many as the sandbox holds.
func TestAFailingBuildsWaitingJobIsCountedOnItsQueue(t *testing.T) {
	clock := sandboxtest.NewClock()
	e := startCLIWith(t, sandbox.Options{Size: sandbox.SizeDemo, Now: clock.Now}, nil)
	ctx := context.Background()
	queue := ""
	for i := 0; i < 240 && queue == ""; i++ {
		clock.Add(30 * time.Second)
		failing, err := e.Client.ListBuilds(ctx, model.BuildFilter{States: []string{model.BuildFailing}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range failing {
			for _, j := range b.Jobs {
				if model.JobWaitingForAgent(j.State) && model.Value(j.ClusterQueueID) != "" {
					queue = model.Value(j.ClusterQueueID)
				}
			}
		}
	}
	if queue == "" {
		t.Fatal("no failing build with a waiting job in two hours of simulation")
	}
	// The clock stands still from here: the sandbox's account and the
	// command's are of the same moment.
	waiting, running := e.Sandbox.QueueJobs(queue)
	r := e.run(t, "queue", "list", "--json")
	var queues []queueJSON
	if r.code != 0 || json.Unmarshal([]byte(r.out), &queues) != nil {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
	for _, q := range queues {
		if q.ID != queue {
			continue
		}
		if q.Counts == nil || q.Counts.JobsWaiting != waiting || q.Counts.JobsRunning != running {
			t.Fatalf("queue %s/%s: counts %+v; the sandbox holds %d waiting, %d running (stderr %s)", q.Cluster.Name, q.Key, q.Counts, waiting, running, r.errOut)
		}
		return
	}
	t.Fatalf("queue %s is not listed", queue)
}
