package screen

import (
	"context"
	"fmt"
	"regexp"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

var emojiSyntax = regexp.MustCompile(`^(:[a-z0-9_+\-]+:)?$`)

func validateEmoji(s string) error {
	if !emojiSyntax.MatchString(s) {
		return fmt.Errorf("use the emoji syntax, such as :rocket:")
	}
	return nil
}

// newClusterForm creates a cluster (cl nil) or updates one; an update can
// also pick the default queue from the cluster's queues.
func newClusterForm(c *common.Common, cl *model.Cluster, queues []model.Queue) component.FormSpec {
	v := struct{ name, description, emoji, color, defaultQueue string }{}
	// was holds the cluster's values as the form starts with them:
	// cleaned, so no bidi override or escape from the API reaches the
	// terminal inside an input, and compared cleaned, so an untouched
	// field sends nothing.
	was := v
	if cl != nil {
		was.name, was.description = component.Text(cl.Name), component.Text(model.Value(cl.Description))
		was.emoji, was.color = component.Text(model.Value(cl.Emoji)), component.Text(model.Value(cl.Color))
		was.defaultQueue = model.Value(cl.DefaultQueueID)
		v = was
	}
	title, action := "New cluster", "creating clusters"
	if cl != nil {
		title, action = "Edit "+component.Text(cl.Name), "editing clusters"
	}
	build := func() *huh.Form {
		fields := []huh.Field{
			component.InputField().Title("Name").Value(&v.name).
				Validate(func(s string) error { return model.ValidateText("name", s, true) }),
			component.InputField().Title("Description").Value(&v.description).
				Validate(func(s string) error { return model.ValidateText("description", s, false) }),
			component.InputField().Title("Emoji").Description("emoji syntax, e.g. :rocket:").Value(&v.emoji).Validate(validateEmoji),
			component.InputField().Title("Colour").Description("hex code, e.g. #FFE0F1 (the # may be left out)").Value(&v.color).Validate(component.Validator(func(s string) error { return model.ValidateColor(model.NormalizeColor(s)) })),
		}
		if cl != nil && len(queues) > 0 {
			opts := make([]huh.Option[string], 0, len(queues))
			for _, q := range queues {
				label := component.Text(q.Key)
				if d := component.Text(queueDescription(q)); d != "" {
					label += " — " + d
				}
				opts = append(opts, huh.NewOption(label, q.ID))
			}
			fields = append(fields, component.SelectField[string]().Title("Default queue").
				Description("agents that name no queue take jobs from it").Options(opts...).Value(&v.defaultQueue))
		}
		return huh.NewForm(huh.NewGroup(fields...))
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		if cl == nil {
			return actions.CreateCluster(ctx, c, model.ClusterCreate{Name: v.name, Description: v.description, Emoji: v.emoji, Color: model.NormalizeColor(v.color)})
		}
		var up model.ClusterUpdate
		changed := false
		set := func(f *model.Field[string], now, was string) {
			if now != was {
				*f, changed = model.Set(now), true
			}
		}
		set(&up.Name, v.name, was.name)
		set(&up.Description, v.description, was.description)
		set(&up.Emoji, v.emoji, was.emoji)
		set(&up.Color, model.NormalizeColor(v.color), was.color)
		set(&up.DefaultQueueID, v.defaultQueue, was.defaultQueue)
		if !changed {
			return common.Flash(common.FlashInfo, "nothing changed"), nil
		}
		return actions.UpdateCluster(ctx, c, cl.ID, up)
	}
	spec := component.FormSpec{Title: title, Action: action, Build: build, Submit: submit, Audit: "cluster.create"}
	if cl != nil {
		spec.Audit, spec.Target = "cluster.update", audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}
	}
	return spec
}

// affinityOptions are the retry agent affinities a queue can take, with
// what each does; when the queue's reply left its affinity out (current
// ""), a first option keeps it as it is, so nothing is sent unasked.
func affinityOptions(current string, editing bool) []huh.Option[string] {
	var opts []huh.Option[string]
	if editing && current == "" {
		opts = append(opts, huh.NewOption("not reported by the API: leave it as it is", ""))
	}
	for _, a := range model.RetryAgentAffinities {
		label := a
		switch a {
		case model.RetryPreferWarmest:
			label += ": retries prefer agents that just finished a job (default)"
		case model.RetryPreferDifferent:
			label += ": retries prefer another agent than the one that failed"
		}
		opts = append(opts, huh.NewOption(label, a))
	}
	return opts
}

// shapeOptions are instance shapes to choose from, described as the model
// describes them; keep, when set, is the queue's current shape, offered
// first when the list lacks it (a deprecated or unknown shape), so that
// the form's starting value is the shape the queue has, not a resize.
func shapeOptions(list []model.ShapeInfo, keep *model.InstanceShape) []huh.Option[string] {
	var opts []huh.Option[string]
	found := false
	for _, s := range list {
		label := component.Text(model.DescribeShape(s.InstanceShape))
		if keep != nil && s.Name == keep.Name {
			found, label = true, "keep "+label
		} else if s.Deprecated {
			continue
		}
		opts = append(opts, huh.NewOption(label, s.Name))
	}
	if keep != nil && !found {
		opts = append([]huh.Option[string]{huh.NewOption("keep "+component.Text(model.DescribeShape(*keep)), keep.Name)}, opts...)
	}
	return opts
}

// newQueueForm creates a queue in cl (q nil), self-hosted or hosted, or
// updates one: its description, its retry agent affinity and, when
// hosted, its size only.
func newQueueForm(c *common.Common, cl model.Cluster, q *model.Queue) component.FormSpec {
	v := struct{ key, description, kind, shape, affinity string }{kind: "self-hosted", affinity: model.RetryPreferWarmest}
	var wasDescription string
	var current *model.InstanceShape
	if q != nil {
		// Prefilled inputs draw what they hold: cleaned, so no bidi
		// override or escape from the API reaches the terminal; what was
		// cleaned is compared cleaned, so an untouched field sends nothing.
		wasDescription = component.Text(model.Value(q.Description))
		v.key, v.description, v.affinity = q.Key, wasDescription, q.RetryAgentAffinity
		if q.Hosted && q.HostedAgents != nil {
			shape := q.HostedAgents.InstanceShape
			v.kind, v.shape, current = "hosted", shape.Name, &shape
		}
	}
	title, action := "New queue in "+component.Text(cl.Name), "creating queues"
	if q != nil {
		title, action = "Edit queue "+component.Text(q.Key), "editing queues"
	}
	affinity := func() *huh.Select[string] {
		return component.SelectField[string]().Title("Retry agent affinity").
			Description("which agents a retried job prefers").
			Options(affinityOptions(v.affinity, q != nil)...).Value(&v.affinity).
			Validate(component.Validator(model.ValidateRetryAgentAffinity))
	}
	build := func() *huh.Form {
		if q != nil {
			fields := []huh.Field{
				component.NoteField().Title("Key").Description(component.Text(q.Key) + " (a queue's key cannot change)"),
				component.InputField().Title("Description").Value(&v.description).
					Validate(func(s string) error { return model.ValidateText("description", s, false) }),
				affinity(),
			}
			if v.kind == "hosted" {
				fields = append(fields, component.SelectField[string]().Title("Instance shape").
					Description("only the size can change: never the machine type or architecture").
					Options(shapeOptions(model.ResizeOptionsFrom(*current), current)...).Value(&v.shape))
			}
			return huh.NewForm(huh.NewGroup(fields...))
		}
		return huh.NewForm(
			huh.NewGroup(
				component.InputField().Title("Key").Description("what agents name in their queue tag").Value(&v.key).Validate(component.Validator(model.ValidateQueueKey)),
				component.InputField().Title("Description").Value(&v.description).
					Validate(func(s string) error { return model.ValidateText("description", s, false) }),
				component.SelectField[string]().Title("Agents").Options(
					huh.NewOption("self-hosted: your own agents", "self-hosted"),
					huh.NewOption("hosted: Buildkite runs the agents", "hosted"),
				).Value(&v.kind),
				affinity(),
			),
			huh.NewGroup(
				component.SelectField[string]().Title("Instance shape").
					Description("Linux and macOS machines; only the size can change later").
					Options(shapeOptions(model.InstanceShapes, nil)...).Value(&v.shape).
					Validate(component.Validator(model.ValidateNewShape)),
			).WithHideFunc(func() bool { return v.kind != "hosted" }),
		)
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		if q == nil {
			in := model.QueueCreate{Key: v.key, Description: v.description, RetryAgentAffinity: v.affinity}
			if v.kind == "hosted" {
				in.HostedAgents = &model.HostedAgentsRequest{InstanceShape: v.shape}
			}
			return actions.CreateQueue(ctx, c, cl.ID, in)
		}
		var up model.QueueUpdate
		changed := false
		if v.description != wasDescription {
			up.Description, changed = model.Set(v.description), true
		}
		if v.affinity != "" && v.affinity != q.RetryAgentAffinity {
			up.RetryAgentAffinity, changed = model.Set(v.affinity), true
		}
		if current != nil && v.shape != current.Name {
			up.HostedAgents, changed = &model.HostedAgentsRequest{InstanceShape: v.shape}, true
		}
		if !changed {
			return common.Flash(common.FlashInfo, "nothing changed"), nil
		}
		return actions.UpdateQueue(ctx, c, cl.ID, q.ID, up)
	}
	spec := component.FormSpec{Title: title, Action: action, Build: build, Submit: submit, Audit: "queue.create",
		Target: audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}}
	if q != nil {
		spec.Audit, spec.Target.QueueID, spec.Target.QueueKey = "queue.update", q.ID, q.Key
	}
	return spec
}

// confirmDeleteCluster asks for the cluster's name before deleting it and,
// with it, its queues and tokens.
func confirmDeleteCluster(c *common.Common, cl model.Cluster, queues int) common.Reply {
	return actions.Start(c, actions.DeleteCluster(c, cl, queues))
}

// confirmDeleteQueue asks for the queue's key before deleting it.
func confirmDeleteQueue(c *common.Common, cl model.Cluster, q model.Queue) common.Reply {
	return actions.Start(c, actions.DeleteQueue(c, cl, q))
}
