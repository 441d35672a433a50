package screen

import (
	"context"
	"fmt"
	"regexp"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
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
	if cl != nil {
		v.name, v.description = cl.Name, model.Value(cl.Description)
		v.emoji, v.color = model.Value(cl.Emoji), model.Value(cl.Color)
		v.defaultQueue = model.Value(cl.DefaultQueueID)
	}
	title, action := "New cluster", "creating clusters"
	if cl != nil {
		title, action = "Edit "+common.Clean(cl.Name), "editing clusters"
	}
	build := func() *huh.Form {
		fields := []huh.Field{
			huh.NewInput().Title("Name").Value(&v.name).
				Validate(func(s string) error { return model.ValidateText("name", s, true) }),
			huh.NewInput().Title("Description").Value(&v.description).
				Validate(func(s string) error { return model.ValidateText("description", s, false) }),
			huh.NewInput().Title("Emoji").Description("emoji syntax, e.g. :rocket:").Value(&v.emoji).Validate(validateEmoji),
			huh.NewInput().Title("Colour").Description("hex code, e.g. #FFE0F1").Value(&v.color).Validate(component.Validator(model.ValidateColor)),
		}
		if cl != nil && len(queues) > 0 {
			opts := make([]huh.Option[string], 0, len(queues))
			for _, q := range queues {
				label := common.Clean(q.Key)
				if d := queueDescription(q); d != "" {
					label += " — " + d
				}
				opts = append(opts, huh.NewOption(label, q.ID))
			}
			fields = append(fields, huh.NewSelect[string]().Title("Default queue").
				Description("agents that name no queue take jobs from it").Options(opts...).Value(&v.defaultQueue))
		}
		return huh.NewForm(huh.NewGroup(fields...))
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		if cl == nil {
			made, err := c.Client.CreateCluster(ctx, model.ClusterCreate{Name: v.name, Description: v.description, Emoji: v.emoji, Color: v.color})
			if err != nil {
				return nil, err
			}
			return tea.Batch(common.Send(org.ClusterChanged{Cluster: made}), common.Flash(common.FlashOK, "created cluster "+common.Clean(made.Name))), nil
		}
		var up model.ClusterUpdate
		changed := false
		set := func(f *model.Field[string], now, was string) {
			if now != was {
				*f, changed = model.Set(now), true
			}
		}
		set(&up.Name, v.name, cl.Name)
		set(&up.Description, v.description, model.Value(cl.Description))
		set(&up.Emoji, v.emoji, model.Value(cl.Emoji))
		set(&up.Color, v.color, model.Value(cl.Color))
		set(&up.DefaultQueueID, v.defaultQueue, model.Value(cl.DefaultQueueID))
		if !changed {
			return common.Flash(common.FlashInfo, "nothing changed"), nil
		}
		made, err := c.Client.UpdateCluster(ctx, cl.ID, up)
		if err != nil {
			return nil, err
		}
		return tea.Batch(common.Send(org.ClusterChanged{Cluster: made}), common.Flash(common.FlashOK, "updated cluster "+common.Clean(made.Name))), nil
	}
	spec := component.FormSpec{Title: title, Action: action, Build: build, Submit: submit, Audit: "cluster.create"}
	if cl != nil {
		spec.Audit, spec.Target = "cluster.update", audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}
	}
	return spec
}

// newQueueForm creates a queue in cl (q nil), self-hosted or hosted, or
// updates one: its description and, when hosted, its size only.
func newQueueForm(c *common.Common, cl model.Cluster, q *model.Queue) component.FormSpec {
	v := struct{ key, description, kind, shape string }{kind: "self-hosted"}
	if q != nil {
		v.key, v.description = q.Key, model.Value(q.Description)
		if q.Hosted && q.HostedAgents != nil {
			v.kind, v.shape = "hosted", q.HostedAgents.InstanceShape.Name
		}
	}
	title, action := "New queue in "+common.Clean(cl.Name), "creating queues"
	if q != nil {
		title, action = "Edit queue "+common.Clean(q.Key), "editing queues"
	}
	shapeOptions := func(list []model.ShapeInfo) []huh.Option[string] {
		var opts []huh.Option[string]
		for _, s := range list {
			if s.Deprecated {
				continue
			}
			machine := map[string]string{model.MachineLinux: "Linux", model.MachineMacOS: "macOS"}[s.MachineType]
			label := fmt.Sprintf("%-6s %-6s %-12s %2d vCPU %3d GB   %s", machine, map[bool]string{true: "M4", false: map[string]string{model.ArchAMD64: "AMD64", model.ArchARM64: "ARM64"}[s.Architecture]}[s.MachineType == model.MachineMacOS], s.Size, s.CPU, s.Memory, s.Name)
			opts = append(opts, huh.NewOption(label, s.Name))
		}
		return opts
	}
	build := func() *huh.Form {
		if q != nil {
			fields := []huh.Field{
				huh.NewNote().Title("Key").Description(common.Clean(q.Key) + " (a queue's key cannot change)"),
				huh.NewInput().Title("Description").Value(&v.description).
					Validate(func(s string) error { return model.ValidateText("description", s, false) }),
			}
			if v.kind == "hosted" {
				fields = append(fields, huh.NewSelect[string]().Title("Instance shape").
					Description("only the size can change: never the machine type or architecture").
					Options(shapeOptions(model.ResizeOptions(q.HostedAgents.InstanceShape.Name))...).Value(&v.shape))
			}
			return huh.NewForm(huh.NewGroup(fields...))
		}
		return huh.NewForm(
			huh.NewGroup(
				huh.NewInput().Title("Key").Description("what agents name in their queue tag").Value(&v.key).Validate(component.Validator(model.ValidateQueueKey)),
				huh.NewInput().Title("Description").Value(&v.description).
					Validate(func(s string) error { return model.ValidateText("description", s, false) }),
				huh.NewSelect[string]().Title("Agents").Options(
					huh.NewOption("self-hosted: your own agents", "self-hosted"),
					huh.NewOption("hosted: Buildkite runs the agents", "hosted"),
				).Value(&v.kind),
			),
			huh.NewGroup(
				huh.NewSelect[string]().Title("Instance shape").
					Description("Linux and macOS machines; only the size can change later").
					Options(shapeOptions(model.InstanceShapes)...).Value(&v.shape).
					Validate(component.Validator(model.ValidateNewShape)),
			).WithHideFunc(func() bool { return v.kind != "hosted" }),
		)
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		if q == nil {
			var made model.Queue
			var err error
			if v.kind == "hosted" {
				made, err = c.Client.CreateHostedQueue(ctx, cl.ID, v.key, v.description, v.shape)
			} else {
				made, err = c.Client.CreateSelfHostedQueue(ctx, cl.ID, v.key, v.description)
			}
			if err != nil {
				return nil, err
			}
			return tea.Batch(common.Send(org.QueueChanged{ClusterID: cl.ID, Queue: made}), common.Flash(common.FlashOK, "created queue "+common.Clean(made.Key))), nil
		}
		var up model.QueueUpdate
		changed := false
		if v.description != model.Value(q.Description) {
			up.Description, changed = model.Set(v.description), true
		}
		if v.kind == "hosted" && v.shape != q.HostedAgents.InstanceShape.Name {
			up.HostedAgents, changed = &model.HostedAgentsRequest{InstanceShape: v.shape}, true
		}
		if !changed {
			return common.Flash(common.FlashInfo, "nothing changed"), nil
		}
		made, err := c.Client.UpdateQueue(ctx, cl.ID, q.ID, up)
		if err != nil {
			return nil, err
		}
		return tea.Batch(common.Send(org.QueueChanged{ClusterID: cl.ID, Queue: made}), common.Flash(common.FlashOK, "updated queue "+common.Clean(made.Key))), nil
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
func confirmDeleteCluster(c *common.Common, cl model.Cluster, queues int) tea.Cmd {
	name := common.Clean(cl.Name)
	return component.ConfirmThen(c, component.ConfirmedChange{Audit: "cluster.delete", Target: audit.Target{ClusterID: cl.ID, ClusterName: cl.Name},
		Refused: "deleting clusters", Title: "Delete cluster " + name + "?", Expect: cl.Name, Verb: "deletes",
		Body:  fmt.Sprintf("This deletes the cluster %s and, with it, all of its queues (%d known) and all of its agent tokens.\nAgents using those tokens can no longer connect. This cannot be undone.", name, queues),
		Doing: "deleting " + name, Done: "deleted cluster " + name,
		Send:  func(ctx context.Context) error { return c.Client.DeleteCluster(ctx, cl.ID) },
		Shows: org.ClusterRemoved{ClusterID: cl.ID}})
}

// confirmDeleteQueue asks for the queue's key before deleting it.
func confirmDeleteQueue(c *common.Common, cl model.Cluster, q model.Queue) tea.Cmd {
	key := common.Clean(q.Key)
	return component.ConfirmThen(c, component.ConfirmedChange{Audit: "queue.delete", Target: common.QueueTarget(common.QueueRef{ClusterID: cl.ID, ClusterName: cl.Name, Queue: q}),
		Refused: "deleting queues", Title: "Delete queue " + key + "?", Expect: q.Key, Verb: "deletes",
		Body:  fmt.Sprintf("This deletes the queue %s of %s. Jobs that target it will wait for a queue that no longer exists.", key, common.Clean(cl.Name)),
		Doing: "deleting " + key, Done: "deleted queue " + key,
		Send:  func(ctx context.Context) error { return c.Client.DeleteQueue(ctx, cl.ID, q.ID) },
		Shows: org.QueueRemoved{ClusterID: cl.ID, QueueID: q.ID}})
}
