package screen

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// The actions on builds and jobs. Each goes through the client, which
// audits it and refuses it in read-only mode; the console also turns it
// down before asking anything (and records the refusal) when changes are
// off, as for every other change.

// BuildChanged says a build now looks like this (made, cancelled, rebuilt
// or retried here): the screens showing it reload.
type BuildChanged struct {
	Slug  string
	Build model.Build
}

func buildTarget(slug string, number int) audit.Target {
	return audit.Target{PipelineSlug: slug, BuildNumber: strconv.Itoa(number)}
}

func jobTarget(slug string, number int, j model.Job) audit.Target {
	t := buildTarget(slug, number)
	t.JobID = j.ID
	return t
}

// buildName is how a build is named in a confirmation: "app #42".
func buildName(slug string, number int) string {
	return component.Text(slug) + " #" + strconv.Itoa(number)
}

// newBuildForm starts a build of a pipeline: branch (the pipeline's
// default one), commit (HEAD: the branch's newest), message and
// environment (KEY=value lines, sent as an object).
func newBuildForm(c *common.Common, slug, defaultBranch string) component.FormSpec {
	v := struct{ branch, commit, message, env string }{branch: defaultBranch, commit: "HEAD"}
	if v.branch == "" {
		v.branch = "main"
	}
	build := func() *huh.Form {
		return huh.NewForm(huh.NewGroup(
			huh.NewInput().Title("Branch").Value(&v.branch).
				Validate(func(s string) error { return model.ValidateText("branch", strings.TrimSpace(s), true) }),
			huh.NewInput().Title("Commit").Description("a SHA, or HEAD for the branch's newest commit").Value(&v.commit).
				Validate(func(s string) error { return model.ValidateText("commit", strings.TrimSpace(s), true) }),
			huh.NewInput().Title("Message").Description("optional").Value(&v.message).
				Validate(func(s string) error { return model.ValidateText("message", s, false) }),
			huh.NewText().Title("Environment").Description("KEY=value, one a line; optional").Lines(3).Value(&v.env).
				Validate(func(s string) error { _, err := model.ParseEnv(s); return err }),
		))
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		env, err := model.ParseEnv(v.env)
		if err != nil {
			return nil, err
		}
		in := model.BuildCreate{Branch: strings.TrimSpace(v.branch), Commit: strings.TrimSpace(v.commit), Message: strings.TrimSpace(v.message)}
		if len(env) > 0 {
			in.Env = env
		}
		made, err := c.Client.CreateBuild(ctx, slug, in)
		if err != nil {
			return nil, err
		}
		return tea.Batch(common.Send(BuildChanged{Slug: slug, Build: made}),
			common.Flash(common.FlashOK, "started "+buildName(slug, made.Number)+" on "+component.Text(made.Branch))), nil
	}
	return component.FormSpec{Title: "New build of " + component.Text(slug), Action: "starting builds", Build: build, Submit: submit,
		Audit: "build.create", Target: audit.Target{PipelineSlug: slug}}
}

// confirmCancelBuild asks before cancelling a build, default Cancel.
func confirmCancelBuild(c *common.Common, slug string, b model.Build) tea.Cmd {
	if c.ReadOnly {
		return c.Refuse("build.cancel", buildTarget(slug, b.Number), "cancelling builds")
	}
	if model.BuildFinishedState(b.State) && !b.Blocked {
		return common.Flash(common.FlashInfo, buildName(slug, b.Number)+" is "+b.State+": nothing to cancel")
	}
	name := buildName(slug, b.Number)
	running := 0
	for _, j := range b.Jobs {
		if model.JobOnAgent(j.State) {
			running++
		}
	}
	body := fmt.Sprintf("Cancels build %s (%s, %s): its scheduled jobs will not run", name, b.State, component.Text(b.Branch))
	if running > 0 {
		body += " and its " + common.Plural(running, "running job is", "running jobs are") + " stopped"
	}
	body += ". A cancelled build can be rebuilt, not resumed."
	return confirmBuildAction(c, confirmed{
		audit: "build.cancel", target: buildTarget(slug, b.Number), refused: "cancelling builds",
		title: "Cancel " + name + "?", body: body, verb: "cancels the build",
		doing: "cancelling " + name, done: "cancelled " + name,
		send: func(ctx context.Context) (model.Build, error) { return c.Client.CancelBuild(ctx, slug, b.Number) },
		slug: slug,
	})
}

// rebuild asks before starting a new build like b.
func rebuild(c *common.Common, slug string, b model.Build) tea.Cmd {
	name := buildName(slug, b.Number)
	return confirmBuildAction(c, confirmed{
		audit: "build.rebuild", target: buildTarget(slug, b.Number), refused: "rebuilding",
		title: "Rebuild " + name + "?",
		body: fmt.Sprintf("Starts a new build of %s with the commit, branch (%s), message and environment of %s.",
			component.Text(slug), component.Text(b.Branch), name),
		verb: "rebuilds", doing: "rebuilding " + name,
		send: func(ctx context.Context) (model.Build, error) { return c.Client.Rebuild(ctx, slug, b.Number) },
		slug: slug, doneFor: func(made model.Build) string { return "rebuilt " + name + " as #" + strconv.Itoa(made.Number) },
	})
}

// retryFailed asks before running a build's failed jobs again.
func retryFailed(c *common.Common, slug string, b model.Build) tea.Cmd {
	name := buildName(slug, b.Number)
	return confirmBuildAction(c, confirmed{
		audit: "build.retry_failed_jobs", target: buildTarget(slug, b.Number), refused: "retrying jobs",
		title: "Retry the failed jobs of " + name + "?",
		body:  "Runs every failed, timed-out, expired or cancelled job of " + name + " again.",
		verb:  "retries", doing: "retrying the failed jobs of " + name,
		send: func(ctx context.Context) (model.Build, error) { return c.Client.RetryFailedJobs(ctx, slug, b.Number) },
		slug: slug, doneFor: func(made model.Build) string {
			return fmt.Sprintf("%s: %s", name, common.Plural(model.Value(made.RetriedJobsCount), "job retried", "jobs retried"))
		},
	})
}

// retryJob asks before running one job again.
func retryJob(c *common.Common, slug string, number int, j model.Job) tea.Cmd {
	name := buildName(slug, number)
	label := component.Text(common.Emojize(j.DisplayName()))
	if c.ReadOnly {
		return c.Refuse("job.retry", jobTarget(slug, number, j), "retrying jobs")
	}
	if !model.JobFinished(j.State) || j.Type != model.JobScript {
		return common.Flash(common.FlashInfo, label+" is "+strings.ReplaceAll(j.State, "_", " ")+": only a finished command job can be retried")
	}
	return confirmBuildAction(c, confirmed{
		audit: "job.retry", target: jobTarget(slug, number, j), refused: "retrying jobs",
		title: "Retry " + label + "?", body: "Runs the job " + label + " of " + name + " again, as a new job.",
		verb: "retries", doing: "retrying " + label, done: "retried " + label,
		send: func(ctx context.Context) (model.Build, error) {
			_, err := c.Client.RetryJob(ctx, slug, number, j.ID)
			return model.Build{Number: number}, err
		},
		slug: slug,
	})
}

// confirmed is a build action asked about with a yes/no question whose
// default is no.
type confirmed struct {
	audit   string
	target  audit.Target
	refused string
	title   string
	body    string
	verb    string
	doing   string
	done    string
	doneFor func(model.Build) string
	send    func(ctx context.Context) (model.Build, error)
	slug    string
}

func confirmBuildAction(c *common.Common, d confirmed) tea.Cmd {
	if c.ReadOnly {
		return c.Refuse(d.audit, d.target, d.refused)
	}
	return c.Post(common.AskConfirmMsg{Title: d.title, Body: d.body, Action: d.verb,
		OnConfirm: func() tea.Cmd {
			return c.Run(c.AppCtx, org.Interactive, d.doing, func(ctx context.Context) tea.Msg {
				made, err := d.send(common.Named(ctx, d.target))
				done := d.done
				if d.doneFor != nil && err == nil {
					done = d.doneFor(made)
				}
				return common.MutationDone{What: d.doing, Err: err,
					OK: tea.Batch(common.Send(BuildChanged{Slug: d.slug, Build: made}), common.Flash(common.FlashOK, done))}
			})
		}})
}

// unblockForm asks for a block step's fields, then unblocks it.
func unblockForm(c *common.Common, slug string, number int, j model.Job) tea.Cmd {
	label := component.Text(common.Emojize(j.DisplayName()))
	if c.ReadOnly {
		return c.Refuse("job.unblock", jobTarget(slug, number, j), "unblocking steps")
	}
	if j.Type != model.JobManual || j.State != model.JobBlocked {
		return common.Flash(common.FlashInfo, label+" is not a blocked step: nothing to unblock")
	}
	values := make([]string, len(j.Fields))
	multi := make([][]string, len(j.Fields))
	for i, f := range j.Fields {
		values[i] = f.Default
		if f.Multiple && f.Default != "" {
			multi[i] = strings.Split(f.Default, ",")
		}
	}
	build := func() *huh.Form {
		fields := []huh.Field{huh.NewNote().Title(buildName(slug, number)).
			Description("the values become the build's meta-data")}
		for i, f := range j.Fields {
			title := component.Text(f.Text)
			if title == "" {
				title = component.Text(f.Select)
			}
			if title == "" {
				title = component.Text(f.Key)
			}
			if f.Required {
				title += " *"
			}
			required := f.Required
			switch {
			case len(f.Options) > 0 && f.Multiple:
				opts := make([]huh.Option[string], len(f.Options))
				for k, o := range f.Options {
					opts[k] = huh.NewOption(component.Text(o.Label), o.Value)
				}
				fields = append(fields, huh.NewMultiSelect[string]().Title(title).Description(component.Text(f.Hint)).
					Options(opts...).Value(&multi[i]).Validate(func(v []string) error {
					if required && len(v) == 0 {
						return fmt.Errorf("pick at least one")
					}
					return nil
				}))
			case len(f.Options) > 0:
				opts := make([]huh.Option[string], len(f.Options))
				for k, o := range f.Options {
					opts[k] = huh.NewOption(component.Text(o.Label), o.Value)
				}
				fields = append(fields, huh.NewSelect[string]().Title(title).Description(component.Text(f.Hint)).
					Options(opts...).Value(&values[i]))
			default:
				fields = append(fields, huh.NewInput().Title(title).Description(component.Text(f.Hint)).Value(&values[i]).
					Validate(func(s string) error {
						if required && strings.TrimSpace(s) == "" {
							return fmt.Errorf("required")
						}
						return nil
					}))
			}
		}
		return huh.NewForm(huh.NewGroup(fields...))
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		out := map[string]string{}
		for i, f := range j.Fields {
			if f.Multiple && len(f.Options) > 0 {
				out[f.Key] = strings.Join(multi[i], ",")
			} else {
				out[f.Key] = strings.TrimSpace(values[i])
			}
		}
		if len(out) == 0 {
			out = nil
		}
		if _, err := c.Client.UnblockJob(ctx, slug, number, j.ID, out); err != nil {
			return nil, err
		}
		return tea.Batch(common.Send(BuildChanged{Slug: slug, Build: model.Build{Number: number}}),
			common.Flash(common.FlashOK, "unblocked "+label+" of "+buildName(slug, number))), nil
	}
	return component.PushForm(c, component.FormSpec{Title: "Unblock " + label, Action: "unblocking steps", Build: build, Submit: submit,
		Audit: "job.unblock", Target: jobTarget(slug, number, j)})
}
