package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// A token with write_builds and write_agents but neither write_clusters
// nor write_pipelines (and no read_clusters): per action, what the client
// reports as allowed from GET /v2/access-token is exactly what the
// sandbox does not refuse, and a refusal is Buildkite's 403 naming the
// scope, said once.
func TestAMixedScopeTokenPerAction(t *testing.T) {
	clock := sandboxtest.NewClock()
	const mixed = "mixed-token"
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now, ScopedTokens: map[string][]string{
		mixed: {"read_builds", "write_builds", "read_agents", "write_agents", "read_pipelines", "read_build_logs"}}}, nil)
	ctx := context.Background()
	full := env.Client
	c := env.ClientWith(t, api.Config{Token: mixed})

	tok := must[model.AccessToken](t)(c.AccessToken(ctx))
	if !slices.Equal(tok.Scopes, []string{"read_agents", "write_agents", "read_builds", "write_builds", "read_build_logs", "read_pipelines"}) {
		t.Fatalf("the token's scopes read %v", tok.Scopes)
	}
	if lacks := api.LacksFor(tok); !slices.Equal(lacks, []string{api.ScopeWriteClusters, api.ScopeWritePipelines}) {
		t.Fatalf("the token lacks %v", lacks)
	}

	clusters := must[[]model.Cluster](t)(full.ListClusters(ctx, nil))
	cl := clusters[0]
	queues := must[[]model.Queue](t)(full.ListQueues(ctx, cl.ID, nil))
	tokens := must[[]model.Token](t)(full.ListTokens(ctx, cl.ID, nil))
	pipelines := must[[]model.Pipeline](t)(full.ListPipelines(ctx, nil))
	agents := must[[]model.Agent](t)(full.ListAgents(ctx, model.AgentListFilter{}, nil))
	var idle model.Agent
	for _, a := range agents {
		if !a.Paused && !a.Busy() {
			idle = a
		}
	}
	builds := must[[]model.Build](t)(full.ListBuilds(ctx, model.BuildFilter{States: []string{model.BuildRunning, model.BuildFailing}}, nil))
	b := builds[0]
	slug, number, jobID := b.Pipeline.Slug, b.Number, b.Jobs[0].ID

	calls := map[api.Action]func() error{
		api.ActionChangeCluster: func() error {
			_, err := c.UpdateCluster(ctx, cl.ID, model.ClusterUpdate{Description: model.Set("x")})
			return err
		},
		api.ActionChangeQueue: func() error {
			_, err := c.UpdateQueue(ctx, cl.ID, queues[0].ID, model.QueueUpdate{Description: model.Set("x")})
			return err
		},
		api.ActionPauseQueue: func() error { _, err := c.PauseQueue(ctx, cl.ID, queues[0].ID, "x"); return err },
		api.ActionChangeToken: func() error {
			_, err := c.UpdateToken(ctx, cl.ID, tokens[0].ID, model.TokenUpdate{Description: model.Set("x")})
			return err
		},
		api.ActionChangePipeline: func() error {
			_, err := c.UpdatePipeline(ctx, pipelines[0].Slug, model.PipelineUpdate{Description: model.Set("x")})
			return err
		},
		api.ActionArchive:    func() error { _, err := c.ArchivePipeline(ctx, pipelines[0].Slug); return err },
		api.ActionWebhook:    func() error { return c.AddWebhook(ctx, pipelines[0].Slug) },
		api.ActionPauseAgent: func() error { return c.PauseAgent(ctx, idle.ID, model.AgentPause{TimeoutInMinutes: 10}) },
		api.ActionStopAgent:  func() error { return c.StopAgent(ctx, idle.ID, false) },
		api.ActionCreateBuild: func() error {
			_, err := c.CreateBuild(ctx, slug, model.BuildCreate{Commit: "HEAD", Branch: "main"})
			return err
		},
		api.ActionRetryFailed: func() error { _, err := c.RetryFailedJobs(ctx, slug, number); return err },
		api.ActionRetryJob:    func() error { _, err := c.RetryJob(ctx, slug, number, jobID); return err },
		api.ActionUnblockJob:  func() error { _, err := c.UnblockJob(ctx, slug, number, jobID, nil); return err },
		api.ActionRebuild:     func() error { _, err := c.Rebuild(ctx, slug, number); return err },
		api.ActionCancelBuild: func() error { _, err := c.CancelBuild(ctx, slug, number); return err },

		api.ActionReadClusters:  func() error { _, err := c.ListClusters(ctx, nil); return err },
		api.ActionReadPipelines: func() error { _, err := c.ListPipelines(ctx, nil); return err },
		api.ActionReadAgents:    func() error { _, err := c.GetAgent(ctx, idle.ID); return err },
		api.ActionReadBuilds:    func() error { _, err := c.GetBuild(ctx, slug, number); return err },
		api.ActionReadLogs:      func() error { _, err := c.JobLog(ctx, slug, number, jobID); return err },
		api.ActionReadTeams:     func() error { _, err := c.ListTeams(ctx); return err },
	}
	for _, a := range api.Actions() {
		call, ok := calls[a]
		if !ok {
			t.Fatalf("no call for %q", a)
		}
		err := call()
		var apiErr *api.Error
		refused := errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden
		if allowed := api.Allows(tok, a); allowed == refused {
			t.Errorf("%s (%s): the client says allowed=%v; the sandbox answered %v", a, a.Scope(), allowed, err)
			continue
		}
		if refused && (apiErr.Scope != a.Scope() || apiErr.Message != "Your access token doesn't have the "+a.Scope()+" scope" ||
			strings.Count(apiErr.Error(), a.Scope()) != 1) {
			t.Errorf("%s: refused as %q (scope %q)", a, apiErr.Error(), apiErr.Scope)
		}
		clock.Add(time.Second)
	}
}
