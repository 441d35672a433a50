package screen

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// The actions on builds and jobs. Each goes through the client, which
// audits it and refuses it in read-only mode; the console also turns it
// down before asking anything (and records the refusal) when changes are
// off, as for every other change.

// BuildChanged says a build now looks like this (made, cancelled, rebuilt
// or retried here): the screens showing it reload.
type BuildChanged = actions.BuildChanged

func buildTarget(slug string, number int) audit.Target { return actions.BuildTarget(slug, number) }

func jobTarget(slug string, number int, j model.Job) audit.Target {
	return actions.JobTarget(slug, number, j)
}

// buildName is how a build is named in a confirmation: "app #42".
func buildName(slug string, number int) string { return actions.BuildName(slug, number) }

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
			component.InputField().Title("Branch").Value(&v.branch).
				Validate(func(s string) error { return model.ValidateText("branch", strings.TrimSpace(s), true) }),
			component.InputField().Title("Commit").Description("a SHA, or HEAD for the branch's newest commit").Value(&v.commit).
				Validate(func(s string) error { return model.ValidateText("commit", strings.TrimSpace(s), true) }),
			component.InputField().Title("Message").Description("optional").Value(&v.message).
				Validate(func(s string) error { return model.ValidateText("message", s, false) }),
			component.TextField().Title("Environment").Placeholder("KEY=value, one a line; optional").Lines(3).Value(&v.env).
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
		return actions.StartBuild(ctx, c, slug, in)
	}
	return component.FormSpec{Title: "New build of " + component.Text(slug), Action: "starting builds", Build: build, Submit: submit,
		Audit: "build.create", Target: audit.Target{PipelineSlug: slug}}
}

// confirmCancelBuild asks before cancelling a build, default Cancel.
func confirmCancelBuild(c *common.Common, slug string, b model.Build) common.Reply {
	return actions.Start(c, actions.CancelBuild(c, slug, b))
}

// rebuild asks before starting a new build like b.
func rebuild(c *common.Common, slug string, b model.Build) common.Reply {
	return actions.Start(c, actions.Rebuild(c, slug, b))
}

// retryFailed asks before running a build's failed jobs again.
func retryFailed(c *common.Common, slug string, b model.Build) common.Reply {
	return actions.Start(c, actions.RetryFailed(c, slug, b))
}

// retryJob asks before running one job again.
func retryJob(c *common.Common, slug string, number int, j model.Job) common.Reply {
	return actions.Start(c, actions.RetryJob(c, slug, number, j))
}

// unblockStep is what the unblock form is built from: the block step's
// fields as the pipeline's YAML has them (a REST job carries none), or
// found false when the step is not there (a pipeline uploaded from its
// repository) or the pipeline could not be read (err).
type unblockStep struct {
	job    model.Job
	fields []model.UnblockField
	found  bool
	err    error
}

// unblock reads the pipeline's configuration for a block step's fields;
// the reply (unblockStep) comes back to the screen, which opens
// unblockForm with it.
func unblock(s *common.ScreenBase, slug string, number int, j model.Job) common.Reply {
	c := s.C
	if c.ReadOnly {
		return common.Do(c.Refuse("job.unblock", jobTarget(slug, number, j), "unblocking steps"))
	}
	if j.Type != model.JobManual || j.State != model.JobBlocked {
		return common.Do(common.Flash(common.FlashInfo, component.Text(common.Emojize(j.DisplayName()))+" is not a blocked step: nothing to unblock"))
	}
	return common.Do(s.Run(org.Interactive, "reading the block step's fields", func(ctx context.Context) tea.Msg {
		p, err := c.Client.GetPipeline(ctx, slug)
		if err != nil {
			return unblockStep{job: j, err: err}
		}
		fields, found := j.BlockFields(p.Configuration)
		return unblockStep{job: j, fields: fields, found: found}
	}))
}

// unblockForm asks for a block step's fields, then unblocks it: one
// field each when the step was found in the pipeline's YAML, else free
// key=value lines.
func unblockForm(c *common.Common, slug string, number int, step unblockStep) common.Reply {
	j := step.job
	label := component.Text(common.Emojize(j.DisplayName()))
	if !step.found {
		return unblockFreeForm(c, slug, number, step)
	}
	values := make([]string, len(step.fields))
	multi := make([][]string, len(step.fields))
	for i, f := range step.fields {
		values[i] = f.Default
		if f.Multiple && f.Default != "" {
			multi[i] = strings.Split(f.Default, ",")
		}
	}
	build := func() *huh.Form {
		fields := []huh.Field{component.NoteField().Title(buildName(slug, number)).
			Description("the values become the build's meta-data")}
		for i, f := range step.fields {
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
				fields = append(fields, component.MultiSelectField[string]().Title(title).Description(component.Text(f.Hint)).
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
				fields = append(fields, component.SelectField[string]().Title(title).Description(component.Text(f.Hint)).
					Options(opts...).Value(&values[i]))
			default:
				fields = append(fields, component.InputField().Title(title).Description(component.Text(f.Hint)).Value(&values[i]).
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
		for i, f := range step.fields {
			if f.Multiple && len(f.Options) > 0 {
				out[f.Key] = strings.Join(multi[i], ",")
			} else {
				out[f.Key] = strings.TrimSpace(values[i])
			}
		}
		if len(out) == 0 {
			out = nil
		}
		return actions.UnblockJob(ctx, c, slug, number, j, out)
	}
	return component.PushForm(c, component.FormSpec{Title: "Unblock " + label, Action: "unblocking steps", Build: build, Submit: submit,
		Audit: "job.unblock", Target: jobTarget(slug, number, j)})
}

// unblockFreeForm asks for a block step's fields as key=value lines: the
// step is not in the pipeline's YAML, so which fields it wants is not
// known here (Buildkite's REST jobs do not say).
func unblockFreeForm(c *common.Common, slug string, number int, step unblockStep) common.Reply {
	j := step.job
	label := component.Text(common.Emojize(j.DisplayName()))
	why := "the step is not in the pipeline's YAML (uploaded from its repository?): give its fields as key=value"
	if step.err != nil {
		why = "the pipeline's YAML could not be read (" + common.ErrorText(step.err) + "): give the step's fields as key=value"
	}
	var text string
	build := func() *huh.Form {
		return huh.NewForm(huh.NewGroup(
			component.NoteField().Title(buildName(slug, number)).Description("the values become the build's meta-data\n"+component.Text(why)),
			component.TextField().Title("Fields").Description("key=value, one a line; none to unblock without").Lines(4).Value(&text).
				Validate(func(s string) error { _, err := model.ParseUnblockValues(s); return err }),
		))
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		out, err := model.ParseUnblockValues(text)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			out = nil
		}
		return actions.UnblockJob(ctx, c, slug, number, j, out)
	}
	return component.PushForm(c, component.FormSpec{Title: "Unblock " + label, Action: "unblocking steps", Build: build, Submit: submit,
		Audit: "job.unblock", Target: jobTarget(slug, number, j)})
}
