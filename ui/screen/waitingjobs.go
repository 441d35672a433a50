package screen

import (
	"fmt"
	"sort"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// A queue's waiting jobs: the scheduled jobs of the organisation's active
// builds that target the queue (cluster_queue_id) and that no agent has
// taken yet. They come from the same list of builds that gives every
// queue's load, so the tab costs no request of its own.

// WaitingJob is one job waiting for an agent of a queue, with the build
// it belongs to.
type WaitingJob struct {
	Job model.Job
	// Slug and Number name the job's build; Pipeline is the pipeline's
	// name when the console knows it, else its slug.
	Slug     string
	Number   int
	Pipeline string
	// Since is when the job became runnable (or was scheduled).
	Since time.Time
}

// OpenJobMsg names a job's build: an agent's job or a waiting one.
type OpenJobMsg struct {
	Slug   string
	Number int
	JobID  string
}

// openJob opens the build a job belongs to, from the queue screen's
// agents and waiting jobs.
func openJob(c *common.Common, m OpenJobMsg) common.Reply {
	if m.Slug == "" || m.Number == 0 {
		return common.Do(common.Flash(common.FlashInfo, "the API did not say which build this job belongs to; o opens this row's page in the browser"))
	}
	return Open(c, "build", BuildArg{Slug: m.Slug, Number: m.Number})
}

// waitingJobs picks the jobs of builds that wait for an agent of queueID,
// the longest-waiting first.
func waitingJobs(c *common.Common, builds []model.Build, queueID string) []WaitingJob {
	var out []WaitingJob
	for _, b := range builds {
		slug, number, _ := model.Job{BuildURL: b.URL}.BuildRef()
		if number == 0 {
			number = b.Number
		}
		name := slug
		if b.Pipeline != nil && b.Pipeline.Name != "" {
			name = b.Pipeline.Name
		} else if p, ok := c.Org.Pipelines.Find(slug); ok {
			name = p.Name
		}
		for _, j := range b.Jobs {
			if model.Value(j.ClusterQueueID) != queueID || !model.JobWaitingForAgent(j.State) {
				continue
			}
			w := WaitingJob{Job: j, Slug: slug, Number: number, Pipeline: name}
			switch {
			case j.RunnableAt != nil && !j.RunnableAt.IsZero():
				w.Since = j.RunnableAt.Time
			case j.ScheduledAt != nil && !j.ScheduledAt.IsZero():
				w.Since = j.ScheduledAt.Time
			}
			out = append(out, w)
		}
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].Since.Before(out[k].Since) })
	return out
}

func waitingSpec(c *common.Common) component.ListSpec[WaitingJob] {
	k := c.Keys
	return component.ListSpec[WaitingJob]{
		Legend: present.LegendWaiting,
		Noun:   "waiting jobs", Empty: "no job is waiting for this queue's agents",
		Columns: []component.ListColumn[WaitingJob]{
			component.Col("PIPELINE", 14, 2, 0, func(w WaitingJob) string { return common.Emojize(w.Pipeline) }),
			component.Col("BUILD", 7, 0, 0, func(w WaitingJob) string { return fmt.Sprintf("#%d", w.Number) }),
			component.Col("STEP", 14, 3, 0, func(w WaitingJob) present.Cell { return present.JobLabelCell(w.Job) }),
			component.Col("WAITING SINCE", 16, 1, 0, func(w WaitingJob) present.Cell {
				if w.Since.IsZero() {
					return present.As(present.Muted, "—")
				}
				return present.Text(present.Ago(c.Now(), w.Since)).And(present.Muted, " "+w.Since.UTC().Format("15:04"))
			}),
		},
		Key: func(w WaitingJob) string { return w.Job.ID },
		Match: func(w WaitingJob) (string, int) {
			return w.Pipeline + " " + present.JobLabel(w.Job), len(w.Pipeline)
		},
		Keys: []component.ListKey[WaitingJob]{
			component.Shown[WaitingJob](k.NextTab),
			component.OnItem(k.Open, func(w WaitingJob) common.Reply {
				return openJob(c, OpenJobMsg{Slug: w.Slug, Number: w.Number, JobID: w.Job.ID})
			}),
			component.Shown[WaitingJob](k.Filter),
			component.Shown[WaitingJob](k.Back),
		},
		Link: func(w WaitingJob) (string, string, string) { return "job", w.Job.WebURL, w.Job.ID },
	}
}
