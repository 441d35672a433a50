package actions

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Deletions: each asks for the name to be typed (default Cancel), says
// what goes with it, and once the API has said yes shows the removal on
// every screen.

// removal is a deletion: sent under the console's context, so that it
// goes through even if its screen is closed; when done, shows is applied
// and done said.
type removal struct {
	doing, done string
	send        func(ctx context.Context) error
	shows       org.Change
}

func (r removal) make(c *common.Common, target audit.Target) func() tea.Cmd {
	return func() tea.Cmd {
		return c.Run(c.AppCtx, org.Interactive, r.doing, func(ctx context.Context) tea.Msg {
			err := r.send(common.Named(ctx, target))
			return common.MutationDone{What: r.doing, Err: err, OK: tea.Batch(common.Send(r.shows), common.Flash(common.FlashOK, r.done))}
		})
	}
}

// DeleteCluster deletes a cluster and, with it, its queues and tokens;
// queues is how many of its queues are known, for the question.
func DeleteCluster(c *common.Common, cl model.Cluster, queues int) Change {
	name := common.Clean(cl.Name)
	target := audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}
	return Change{Audit: "cluster.delete", Target: target, Refused: "deleting clusters",
		Confirm: &Confirm{Title: "Delete cluster " + name + "?", Expect: cl.Name, Verb: "deletes",
			Body: fmt.Sprintf("This deletes the cluster %s and, with it, all of its queues (%d known) and all of its agent tokens.\nAgents using those tokens can no longer connect. This cannot be undone.", name, queues)},
		Make: removal{doing: "deleting " + name, done: "deleted cluster " + name,
			send:  func(ctx context.Context) error { return c.Client.DeleteCluster(ctx, cl.ID) },
			shows: org.ClusterRemoved{ClusterID: cl.ID}}.make(c, target)}
}

// DeleteQueue deletes a queue of a cluster.
func DeleteQueue(c *common.Common, cl model.Cluster, q model.Queue) Change {
	key := common.Clean(q.Key)
	target := common.QueueTarget(common.QueueRef{ClusterID: cl.ID, ClusterName: cl.Name, Queue: q})
	return Change{Audit: "queue.delete", Target: target, Refused: "deleting queues",
		Confirm: &Confirm{Title: "Delete queue " + key + "?", Expect: q.Key, Verb: "deletes",
			Body: fmt.Sprintf("This deletes the queue %s of %s. Jobs that target it will wait for a queue that no longer exists.", key, common.Clean(cl.Name))},
		Make: removal{doing: "deleting " + key, done: "deleted queue " + key,
			send:  func(ctx context.Context) error { return c.Client.DeleteQueue(ctx, cl.ID, q.ID) },
			shows: org.QueueRemoved{ClusterID: cl.ID, QueueID: q.ID}}.make(c, target)}
}

// RevokeToken revokes a cluster's agent token.
func RevokeToken(c *common.Common, cl model.Cluster, t model.Token) Change {
	name := common.Clean(t.Description)
	target := audit.Target{ClusterID: cl.ID, ClusterName: cl.Name, TokenID: t.ID, TokenName: t.Description}
	return Change{Audit: "token.revoke", Target: target, Refused: "revoking tokens",
		Confirm: &Confirm{Title: "Revoke token " + name + "?", Expect: t.Description, Verb: "revokes",
			Body: fmt.Sprintf("Agents that connect to %s with this token will be refused from now on. This cannot be undone.", common.Clean(cl.Name))},
		Make: removal{doing: "revoking " + name, done: "revoked token " + name,
			send:  func(ctx context.Context) error { return c.Client.RevokeToken(ctx, cl.ID, t.ID) },
			shows: org.TokenRemoved{ClusterID: cl.ID, TokenID: t.ID}}.make(c, target)}
}

// DeletePipeline deletes a pipeline with its builds, logs and artifacts.
func DeletePipeline(c *common.Common, p model.Pipeline) Change {
	name := common.Clean(p.Name)
	target := audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}
	return Change{Audit: "pipeline.delete", Target: target, Refused: "deleting pipelines",
		Confirm: &Confirm{Title: "Delete pipeline " + name + "?", Expect: p.Slug, Verb: "deletes",
			Body: "This deletes the pipeline with all of its builds, logs and artifacts. This cannot be undone; archiving keeps them."},
		Make: removal{doing: "deleting " + name, done: "deleted pipeline " + name,
			send:  func(ctx context.Context) error { return c.Client.DeletePipeline(ctx, p.Slug) },
			shows: org.PipelineRemoved{Slug: p.Slug}}.make(c, target)}
}

// ArchivePipeline archives a pipeline after a yes, or unarchives an
// archived one at once.
func ArchivePipeline(c *common.Common, p model.Pipeline) Change {
	name := common.Clean(p.Name)
	archive := !p.Archived()
	verb, done := "unarchiving", "unarchived"
	if archive {
		verb, done = "archiving", "archived"
	}
	ch := Change{Audit: "pipeline.archive", Target: audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}, Refused: "archiving",
		Make: func() tea.Cmd {
			return c.Run(c.AppCtx, org.Interactive, verb+" "+name, func(ctx context.Context) tea.Msg {
				ctx = common.Named(ctx, audit.Target{PipelineName: p.Name})
				var out model.Pipeline
				var err error
				if archive {
					out, err = c.Client.ArchivePipeline(ctx, p.Slug)
				} else {
					out, err = c.Client.UnarchivePipeline(ctx, p.Slug)
				}
				return common.MutationDone{What: verb + " " + name, Err: err,
					OK: tea.Batch(common.Send(org.PipelineChanged{Pipeline: out}), common.Flash(common.FlashOK, done+" "+name))}
			})
		}}
	if archive {
		ch.Confirm = &Confirm{Title: "Archive pipeline " + name + "?", Verb: "archives",
			Body: "Archived pipelines are read-only and hidden from pipeline lists; builds, logs and artifacts are kept. It can be unarchived later."}
	}
	return ch
}
