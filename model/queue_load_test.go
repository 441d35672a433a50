package model

import (
	"testing"
	"time"
)

func TestLoadByQueue(t *testing.T) {
	at := func(m int) *Timestamp { return NewTimestamp(time.Date(2026, 6, 1, 12, m, 0, 0, time.UTC)) }
	builds := []Build{
		{Jobs: []Job{
			{State: JobScheduled, ClusterQueueID: Ptr("q1"), RunnableAt: at(5)},
			{State: JobRunning, ClusterQueueID: Ptr("q1")},
			{State: JobWaiting, ClusterQueueID: Ptr("q1")}, // its stage has not come
			{State: JobPassed, ClusterQueueID: Ptr("q2")},
		}},
		{Jobs: []Job{
			{State: JobScheduled, ClusterQueueID: Ptr("q1"), ScheduledAt: at(2)},
			{State: JobAssigned, ClusterQueueID: Ptr("q2")},
			{State: JobScheduled}, // not on a cluster queue
		}},
	}
	got := LoadByQueue(builds)
	if q1 := got["q1"]; q1.Waiting != 2 || q1.Running != 1 || !q1.OldestWaiting.Equal(at(2).Time) {
		t.Fatalf("q1 = %+v", q1)
	}
	if q2 := got["q2"]; q2.Waiting != 0 || q2.Running != 1 || !q2.OldestWaiting.IsZero() {
		t.Fatalf("q2 = %+v", q2)
	}
	if len(got) != 2 {
		t.Fatalf("queues = %v", got)
	}
}

func TestJobBuildRef(t *testing.T) {
	for url, want := range map[string]int{
		"https://api.buildkite.com/v2/organizations/acme/pipelines/api-gateway/builds/42": 42,
		"/v2/organizations/acme/pipelines/api-gateway/builds/7/jobs/x":                    7,
		"https://api.buildkite.com/v2/organizations/acme/pipelines/api-gateway":           0,
		"/pipelines/api-gateway/builds/zero":                                              0,
		"":                                                                                0,
	} {
		slug, n, ok := Job{BuildURL: url}.BuildRef()
		if n != want || ok != (want > 0) || (ok && slug != "api-gateway") {
			t.Fatalf("%q: %s %d %v", url, slug, n, ok)
		}
	}
}
