package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// BenchmarkGraphQLCounts counts the large organisation's queues over
// GraphQL with 30 ms added to every request, the organisation standing
// still after half an hour of simulated work: a cluster's queues (the
// cluster with the most), every queue, and the home screen's numbers; and,
// for comparison, the REST reads the same numbers took before (the
// active builds and the agents list). It reports the complexity points
// the sandbox charged and the requests sent per count.
func BenchmarkGraphQLCounts(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 2000, Latency: 30 * time.Millisecond,
		Now: func() time.Time { return sandboxtest.Now }}, nil)
	c := env.Client
	ctx := context.Background()
	clusters, queues := allQueues(b, c)
	byCluster := map[string][]model.Queue{}
	var biggest string
	for _, q := range queues {
		id := clusterIDOf(q.ClusterURL)
		byCluster[id] = append(byCluster[id], q)
		if len(byCluster[id]) > len(byCluster[biggest]) {
			biggest = id
		}
	}
	measure := func(b *testing.B, count func() error) {
		b.Helper()
		env.Sandbox.ResetRequests()
		spent := env.Sandbox.GraphQLPointsSpent()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := count(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		graphQL, rest := 0, 0
		for _, r := range env.Sandbox.Requests() {
			if r.Path == sandbox.GraphQLPath {
				graphQL++
			} else if r.Method == http.MethodGet {
				rest++
			}
		}
		b.ReportMetric(float64(env.Sandbox.GraphQLPointsSpent()-spent)/float64(b.N), "points/op")
		b.ReportMetric(float64(graphQL)/float64(b.N), "graphql-requests/op")
		b.ReportMetric(float64(rest)/float64(b.N), "rest-requests/op")
	}
	b.Run("one-cluster", func(b *testing.B) {
		b.Logf("%d queues in the cluster", len(byCluster[biggest]))
		measure(b, func() error { _, err := c.QueueCounts(ctx, byCluster[biggest]); return err })
	})
	b.Run("all-queues", func(b *testing.B) {
		b.Logf("%d queues", len(queues))
		measure(b, func() error { _, err := c.QueueCounts(ctx, queues); return err })
	})
	b.Run("home", func(b *testing.B) {
		measure(b, func() error { _, err := c.ClusterCounts(ctx, clusters, false); return err })
	})
	b.Run("home-with-paused", func(b *testing.B) {
		measure(b, func() error { _, err := c.ClusterCounts(ctx, clusters, true); return err })
	})
	b.Run("rest-loads-and-agents", func(b *testing.B) {
		measure(b, func() error {
			if _, err := c.QueueLoads(ctx); err != nil {
				return err
			}
			_, err := c.ListAgents(ctx, model.AgentListFilter{}, nil)
			return err
		})
	})
}
