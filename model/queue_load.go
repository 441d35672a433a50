package model

import (
	"strconv"
	"strings"
	"time"
)

// QueueLoad is what a queue is doing, as its jobs in the organisation's
// active builds tell it.
type QueueLoad struct {
	// Waiting counts jobs scheduled on the queue that no agent has taken;
	// Running, jobs an agent holds.
	Waiting, Running int
	// OldestWaiting is when the longest-waiting job became runnable (zero
	// when none waits).
	OldestWaiting time.Time
}

// LoadByQueue groups the jobs of builds by cluster_queue_id: one list of
// the organisation's scheduled and running builds gives every queue's
// load, rather than one request per queue.
func LoadByQueue(builds []Build) map[string]QueueLoad {
	out := map[string]QueueLoad{}
	for _, b := range builds {
		for _, j := range b.Jobs {
			q := Value(j.ClusterQueueID)
			if q == "" {
				continue
			}
			l := out[q]
			switch {
			case JobWaitingForAgent(j.State):
				l.Waiting++
				since := j.RunnableAt
				if since == nil || since.IsZero() {
					since = j.ScheduledAt
				}
				if since != nil && !since.IsZero() && (l.OldestWaiting.IsZero() || since.Before(l.OldestWaiting)) {
					l.OldestWaiting = since.Time
				}
			case JobOnAgent(j.State):
				l.Running++
			default:
				continue
			}
			out[q] = l
		}
	}
	return out
}

// BuildRef reads the pipeline slug and build number out of a job's
// build_url (.../pipelines/{slug}/builds/{number}): an agent's current job
// names its build only so.
func (j Job) BuildRef() (slug string, number int, ok bool) {
	_, rest, found := strings.Cut(j.BuildURL, "/pipelines/")
	if !found {
		return "", 0, false
	}
	slug, num, found := strings.Cut(rest, "/builds/")
	if !found || slug == "" {
		return "", 0, false
	}
	num, _, _ = strings.Cut(num, "/")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return slug, n, true
}
