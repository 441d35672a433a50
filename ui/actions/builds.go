package actions

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// The changes to builds and jobs. Each goes through the client, which
// audits it and refuses it in read-only mode; the console also turns it
// down before asking anything (and records the refusal) when changes are
// off, as for every other change.

// BuildChanged says a build now looks like this (made, cancelled, rebuilt
// or retried here): the screens showing it reload.
type BuildChanged struct {
	Slug  string
	Build model.Build
}

// BuildTarget is what a change to a build touches, for the audit log.
func BuildTarget(slug string, number int) audit.Target {
	return audit.Target{PipelineSlug: slug, BuildNumber: strconv.Itoa(number)}
}

// JobTarget is what a change to a job touches.
func JobTarget(slug string, number int, j model.Job) audit.Target {
	t := BuildTarget(slug, number)
	t.JobID = j.ID
	return t
}

// BuildName is how a build is named in a question: "app #42".
func BuildName(slug string, number int) string {
	return common.Clean(slug) + " #" + strconv.Itoa(number)
}

// buildChange is a change to a build asked about with a yes/no question
// whose default is no; its reply is the build as it now is.
type buildChange struct {
	doing   string
	done    string
	doneFor func(model.Build) string
	send    func(ctx context.Context) (model.Build, error)
	slug    string
}

func (d buildChange) make(c *common.Common, target audit.Target) func() tea.Cmd {
	return func() tea.Cmd {
		return c.Run(c.AppCtx, org.Interactive, d.doing, func(ctx context.Context) tea.Msg {
			made, err := d.send(common.Named(ctx, target))
			done := d.done
			if d.doneFor != nil && err == nil {
				done = d.doneFor(made)
			}
			return common.MutationDone{What: d.doing, Err: err,
				OK: tea.Batch(common.Send(BuildChanged{Slug: d.slug, Build: made}), common.Flash(common.FlashOK, done))}
		})
	}
}

// CancelBuild cancels a build that has not finished.
func CancelBuild(c *common.Common, slug string, b model.Build) Change {
	name := BuildName(slug, b.Number)
	target := BuildTarget(slug, b.Number)
	ch := Change{Audit: "build.cancel", Target: target, Refused: "canceling builds"}
	if model.BuildFinishedState(b.State) && !b.Blocked {
		ch.Say = name + " is " + b.State + ": nothing to cancel"
		return ch
	}
	running := 0
	for _, j := range b.Jobs {
		if model.JobOnAgent(j.State) {
			running++
		}
	}
	body := fmt.Sprintf("Cancels build %s (%s, %s): its scheduled jobs will not run", name, b.State, common.Clean(b.Branch))
	if running > 0 {
		body += " and its " + common.Plural(running, "running job is", "running jobs are") + " stopped"
	}
	body += ". A canceled build can be rebuilt, not resumed."
	ch.Confirm = &Confirm{Title: "Cancel " + name + "?", Body: body, Verb: "cancels the build"}
	ch.Make = buildChange{doing: "canceling " + name, done: "canceled " + name, slug: slug,
		send: func(ctx context.Context) (model.Build, error) { return c.Client.CancelBuild(ctx, slug, b.Number) }}.make(c, target)
	return ch
}

// Rebuild starts a new build like b.
func Rebuild(c *common.Common, slug string, b model.Build) Change {
	name := BuildName(slug, b.Number)
	target := BuildTarget(slug, b.Number)
	return Change{Audit: "build.rebuild", Target: target, Refused: "rebuilding",
		Confirm: &Confirm{Title: "Rebuild " + name + "?", Verb: "rebuilds",
			Body: fmt.Sprintf("Starts a new build of %s with the commit, branch (%s), message and environment of %s.",
				common.Clean(slug), common.Clean(b.Branch), name)},
		Make: buildChange{doing: "rebuilding " + name, slug: slug,
			send:    func(ctx context.Context) (model.Build, error) { return c.Client.Rebuild(ctx, slug, b.Number) },
			doneFor: func(made model.Build) string { return "rebuilt " + name + " as #" + strconv.Itoa(made.Number) },
		}.make(c, target)}
}

// RetryFailed runs a build's failed jobs again.
func RetryFailed(c *common.Common, slug string, b model.Build) Change {
	name := BuildName(slug, b.Number)
	target := BuildTarget(slug, b.Number)
	return Change{Audit: "build.retry_failed_jobs", Target: target, Refused: "retrying jobs",
		Confirm: &Confirm{Title: "Retry the failed jobs of " + name + "?", Verb: "retries",
			Body: "Runs every failed, timed-out, expired or canceled job of " + name + " again."},
		Make: buildChange{doing: "retrying the failed jobs of " + name, slug: slug,
			send: func(ctx context.Context) (model.Build, error) { return c.Client.RetryFailedJobs(ctx, slug, b.Number) },
			doneFor: func(made model.Build) string {
				return fmt.Sprintf("%s: %s", name, common.Plural(model.Value(made.RetriedJobsCount), "job retried", "jobs retried"))
			},
		}.make(c, target)}
}

// RetryJob runs one finished command job again.
func RetryJob(c *common.Common, slug string, number int, j model.Job) Change {
	name := BuildName(slug, number)
	label := common.Clean(common.Emojize(j.DisplayName()))
	target := JobTarget(slug, number, j)
	ch := Change{Audit: "job.retry", Target: target, Refused: "retrying jobs"}
	if !model.JobFinished(j.State) || j.Type != model.JobScript {
		ch.Say = label + " is " + strings.ReplaceAll(j.State, "_", " ") + ": only a finished command job can be retried"
		return ch
	}
	ch.Confirm = &Confirm{Title: "Retry " + label + "?", Body: "Runs the job " + label + " of " + name + " again, as a new job.", Verb: "retries"}
	ch.Make = buildChange{doing: "retrying " + label, done: "retried " + label, slug: slug,
		send: func(ctx context.Context) (model.Build, error) {
			_, err := c.Client.RetryJob(ctx, slug, number, j.ID)
			return model.Build{Number: number}, err
		}}.make(c, target)
	return ch
}

// StartBuild starts a build of a pipeline (the new-build form's
// submission).
func StartBuild(ctx context.Context, c *common.Common, slug string, in model.BuildCreate) (tea.Cmd, error) {
	made, err := c.Client.CreateBuild(ctx, slug, in)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(BuildChanged{Slug: slug, Build: made}),
		common.Flash(common.FlashOK, "started "+BuildName(slug, made.Number)+" on "+common.Clean(made.Branch))), nil
}

// UnblockJob unblocks a block step with its fields' values (the unblock
// form's submission).
func UnblockJob(ctx context.Context, c *common.Common, slug string, number int, j model.Job, values map[string]string) (tea.Cmd, error) {
	if _, err := c.Client.UnblockJob(ctx, slug, number, j.ID, values); err != nil {
		return nil, err
	}
	label := common.Clean(common.Emojize(j.DisplayName()))
	return tea.Batch(common.Send(BuildChanged{Slug: slug, Build: model.Build{Number: number}}),
		common.Flash(common.FlashOK, "unblocked "+label+" of "+BuildName(slug, number))), nil
}
