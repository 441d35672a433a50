package ui

import (
	"context"
	"fmt"
	"regexp"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
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
func newClusterForm(c *Common, cl *model.Cluster, queues []model.Queue) formSpec {
	v := struct{ name, description, emoji, color, defaultQueue string }{}
	if cl != nil {
		v.name, v.description = cl.Name, model.Value(cl.Description)
		v.emoji, v.color = model.Value(cl.Emoji), model.Value(cl.Color)
		v.defaultQueue = model.Value(cl.DefaultQueueID)
	}
	title, action := "New cluster", "creating clusters"
	if cl != nil {
		title, action = "Edit "+clean(cl.Name), "editing clusters"
	}
	build := func() *huh.Form {
		fields := []huh.Field{
			huh.NewInput().Title("Name").Value(&v.name).
				Validate(func(s string) error { return model.ValidateText("name", s, true) }),
			huh.NewInput().Title("Description").Value(&v.description).
				Validate(func(s string) error { return model.ValidateText("description", s, false) }),
			huh.NewInput().Title("Emoji").Description("emoji syntax, e.g. :rocket:").Value(&v.emoji).Validate(validateEmoji),
			huh.NewInput().Title("Colour").Description("hex code, e.g. #FFE0F1").Value(&v.color).Validate(validator(model.ValidateColor)),
		}
		if cl != nil && len(queues) > 0 {
			opts := make([]huh.Option[string], 0, len(queues))
			for _, q := range queues {
				label := clean(q.Key)
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
			return tea.Batch(send(org.ClusterChanged{Cluster: made}), flash(flashOK, "created cluster "+clean(made.Name))), nil
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
			return flash(flashInfo, "nothing changed"), nil
		}
		made, err := c.Client.UpdateCluster(ctx, cl.ID, up)
		if err != nil {
			return nil, err
		}
		return tea.Batch(send(org.ClusterChanged{Cluster: made}), flash(flashOK, "updated cluster "+clean(made.Name))), nil
	}
	spec := formSpec{title: title, action: action, build: build, submit: submit, audit: "cluster.create"}
	if cl != nil {
		spec.audit, spec.target = "cluster.update", audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}
	}
	return spec
}

// newQueueForm creates a queue in cl (q nil), self-hosted or hosted, or
// updates one: its description and, when hosted, its size only.
func newQueueForm(c *Common, cl model.Cluster, q *model.Queue) formSpec {
	v := struct{ key, description, kind, shape string }{kind: "self-hosted"}
	if q != nil {
		v.key, v.description = q.Key, model.Value(q.Description)
		if q.Hosted && q.HostedAgents != nil {
			v.kind, v.shape = "hosted", q.HostedAgents.InstanceShape.Name
		}
	}
	title, action := "New queue in "+clean(cl.Name), "creating queues"
	if q != nil {
		title, action = "Edit queue "+clean(q.Key), "editing queues"
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
				huh.NewNote().Title("Key").Description(clean(q.Key) + " (a queue's key cannot change)"),
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
				huh.NewInput().Title("Key").Description("what agents name in their queue tag").Value(&v.key).Validate(validator(model.ValidateQueueKey)),
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
					Validate(validator(model.ValidateNewShape)),
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
			return tea.Batch(send(org.QueueChanged{ClusterID: cl.ID, Queue: made}), flash(flashOK, "created queue "+clean(made.Key))), nil
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
			return flash(flashInfo, "nothing changed"), nil
		}
		made, err := c.Client.UpdateQueue(ctx, cl.ID, q.ID, up)
		if err != nil {
			return nil, err
		}
		return tea.Batch(send(org.QueueChanged{ClusterID: cl.ID, Queue: made}), flash(flashOK, "updated queue "+clean(made.Key))), nil
	}
	spec := formSpec{title: title, action: action, build: build, submit: submit, audit: "queue.create",
		target: audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}}
	if q != nil {
		spec.audit, spec.target.QueueID, spec.target.QueueKey = "queue.update", q.ID, q.Key
	}
	return spec
}

// confirmDeleteCluster asks for the cluster's name before deleting it and,
// with it, its queues and tokens.
func confirmDeleteCluster(c *Common, cl model.Cluster, queues int) tea.Cmd {
	name := clean(cl.Name)
	return confirmThen(c, confirmedChange{audit: "cluster.delete", target: audit.Target{ClusterID: cl.ID, ClusterName: cl.Name},
		refused: "deleting clusters", title: "Delete cluster " + name + "?", expect: cl.Name, verb: "deletes",
		body:  fmt.Sprintf("This deletes the cluster %s and, with it, all of its queues (%d known) and all of its agent tokens.\nAgents using those tokens can no longer connect. This cannot be undone.", name, queues),
		doing: "deleting " + name, done: "deleted cluster " + name,
		send:  func(ctx context.Context) error { return c.Client.DeleteCluster(ctx, cl.ID) },
		shows: org.ClusterRemoved{ClusterID: cl.ID}})
}

// confirmDeleteQueue asks for the queue's key before deleting it.
func confirmDeleteQueue(c *Common, cl model.Cluster, q model.Queue) tea.Cmd {
	key := clean(q.Key)
	return confirmThen(c, confirmedChange{audit: "queue.delete", target: queueTarget(queueRef{ClusterID: cl.ID, ClusterName: cl.Name, Queue: q}),
		refused: "deleting queues", title: "Delete queue " + key + "?", expect: q.Key, verb: "deletes",
		body:  fmt.Sprintf("This deletes the queue %s of %s. Jobs that target it will wait for a queue that no longer exists.", key, clean(cl.Name)),
		doing: "deleting " + key, done: "deleted queue " + key,
		send:  func(ctx context.Context) error { return c.Client.DeleteQueue(ctx, cl.ID, q.ID) },
		shows: org.QueueRemoved{ClusterID: cl.ID, QueueID: q.ID}})
}
