package actions

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// The changes a form submits: create and edit a cluster, a queue, an
// agent token, a pipeline. A form asks its fields and works out what
// changed; these send it. Each runs off the event loop under the form's
// submission context (named for the audit log by the form), and returns
// what to show once the API said yes: the change applied on every
// screen, and a flash. An error stays on the form, under its fields.

// CreateCluster makes a cluster.
func CreateCluster(ctx context.Context, c *common.Common, in model.ClusterCreate) (tea.Cmd, error) {
	made, err := c.Client.CreateCluster(ctx, in)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.ClusterChanged{Cluster: made}), common.Flash(common.FlashOK, "created cluster "+common.Clean(made.Name))), nil
}

// UpdateCluster changes a cluster's fields.
func UpdateCluster(ctx context.Context, c *common.Common, id string, up model.ClusterUpdate) (tea.Cmd, error) {
	made, err := c.Client.UpdateCluster(ctx, id, up)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.ClusterChanged{Cluster: made}), common.Flash(common.FlashOK, "updated cluster "+common.Clean(made.Name))), nil
}

// CreateQueue makes a queue in a cluster.
func CreateQueue(ctx context.Context, c *common.Common, clusterID string, in model.QueueCreate) (tea.Cmd, error) {
	made, err := c.Client.CreateQueue(ctx, clusterID, in)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.QueueChanged{ClusterID: clusterID, Queue: made}), common.Flash(common.FlashOK, "created queue "+common.Clean(made.Key))), nil
}

// UpdateQueue changes a queue's fields.
func UpdateQueue(ctx context.Context, c *common.Common, clusterID, id string, up model.QueueUpdate) (tea.Cmd, error) {
	made, err := c.Client.UpdateQueue(ctx, clusterID, id, up)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.QueueChanged{ClusterID: clusterID, Queue: made}), common.Flash(common.FlashOK, "updated queue "+common.Clean(made.Key))), nil
}

// CreatePipeline makes a pipeline.
func CreatePipeline(ctx context.Context, c *common.Common, in model.PipelineCreate) (tea.Cmd, error) {
	made, err := c.Client.CreatePipeline(ctx, in)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.PipelineChanged{Pipeline: made}), common.Flash(common.FlashOK, "created pipeline "+common.Clean(made.Name)+" ("+common.Clean(made.Slug)+")")), nil
}

// UpdatePipeline changes a pipeline's settings.
func UpdatePipeline(ctx context.Context, c *common.Common, slug string, up model.PipelineUpdate) (tea.Cmd, error) {
	made, err := c.Client.UpdatePipeline(ctx, slug, up)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.PipelineChanged{Pipeline: made}), common.Flash(common.FlashOK, "updated pipeline "+common.Clean(made.Name))), nil
}

// CreateToken makes an agent token of a cluster: its value is shown once,
// in a dialog, and kept nowhere (what every screen is told of the token
// is without it).
func CreateToken(ctx context.Context, c *common.Common, cl model.Cluster, in model.TokenCreate) (tea.Cmd, error) {
	made, err := c.Client.CreateToken(ctx, cl.ID, in)
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.TokenChanged{ClusterID: cl.ID, Token: WithoutValue(made)}),
		common.Send(common.TokenShown{ClusterName: cl.Name, Token: made})), nil
}

// UpdateToken changes a token's description (all that can change).
func UpdateToken(ctx context.Context, c *common.Common, clusterID, id, description string) (tea.Cmd, error) {
	made, err := c.Client.UpdateToken(ctx, clusterID, id, model.TokenUpdate{Description: model.Set(description)})
	if err != nil {
		return nil, err
	}
	return tea.Batch(common.Send(org.TokenChanged{ClusterID: clusterID, Token: WithoutValue(made)}), common.Flash(common.FlashOK, "updated token "+common.Clean(made.Description))), nil
}

// WithoutValue is a token without its secret value: what is kept and
// shown after the one dialog that shows the value.
func WithoutValue(t model.Token) model.Token {
	t.Token = ""
	return t
}

// AddWebhook asks Buildkite to create the pipeline's GitHub webhook; the
// API's 422 says when it cannot (not GitHub, or one already made).
func AddWebhook(c *common.Common, p model.Pipeline) Change {
	target := audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}
	name := common.Clean(p.Name)
	return Change{Audit: "pipeline.webhook", Target: target, Refused: "adding webhooks",
		Make: func() tea.Cmd {
			return c.Run(c.AppCtx, org.Interactive, "adding a webhook to "+name, func(ctx context.Context) tea.Msg {
				err := c.Client.AddWebhook(common.Named(ctx, target), p.Slug)
				return common.MutationDone{What: "adding a webhook to " + name, Err: err,
					OK: common.Flash(common.FlashOK, "webhook created: pushes to "+common.Clean(p.Repository)+" now trigger builds of "+name)}
			})
		}}
}
