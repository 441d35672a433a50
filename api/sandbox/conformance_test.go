package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	buildkite "github.com/buildkite/go-buildkite/v4"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// The official Go client, an independent implementation of the same API,
// keeps the sandbox honest: if it cannot use the sandbox, neither could a
// user's own scripts.

func officialClient(t *testing.T, env *sandboxtest.Env) *buildkite.Client {
	t.Helper()
	c, err := buildkite.NewOpts(buildkite.WithBaseURL(env.Server.URL+"/"), buildkite.WithTokenAuth(env.Sandbox.Token()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ok[T any](t *testing.T) func(T, *buildkite.Response, error) T {
	return func(v T, _ *buildkite.Response, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantStatus(t *testing.T, err error, status int, message string) {
	t.Helper()
	var er *buildkite.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("want a %d error, got %v", status, err)
	}
	if er.Response.StatusCode != status || (message != "" && er.Message != message) {
		t.Fatalf("got %d %q, want %d %q", er.Response.StatusCode, er.Message, status, message)
	}
}

func TestOfficialClientClustersAndQueues(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()

	cl := ok[buildkite.Cluster](t)(bk.Clusters.Create(ctx, org, buildkite.ClusterCreate{Name: "Open Source", Description: "OSS", Emoji: ":technologist:", Color: "#FFE0F1"}))
	if cl.ID == "" || cl.Name != "Open Source" || cl.CreatedAt == nil || cl.CreatedBy.Name == "" || cl.QueuesURL == "" {
		t.Fatalf("create = %+v", cl)
	}
	got := ok[buildkite.Cluster](t)(bk.Clusters.Get(ctx, org, cl.ID))
	if got.Emoji != ":technologist:" || got.Color != "#FFE0F1" {
		t.Fatalf("get = %+v", got)
	}
	up := ok[buildkite.Cluster](t)(bk.Clusters.Update(ctx, org, cl.ID, buildkite.ClusterUpdate{Description: "Open source builds"}))
	if up.Description != "Open source builds" || up.Name != "Open Source" {
		t.Fatalf("update = %+v", up)
	}
	if list := ok[[]buildkite.Cluster](t)(bk.Clusters.List(ctx, org, nil)); len(list) != 1 {
		t.Fatalf("list = %d", len(list))
	}

	q := ok[buildkite.ClusterQueue](t)(bk.ClusterQueues.Create(ctx, org, cl.ID, buildkite.ClusterQueueCreate{Key: "default", Description: "The default queue"}))
	if q.Key != "default" || q.ClusterURL == "" {
		t.Fatalf("queue = %+v", q)
	}
	q = ok[buildkite.ClusterQueue](t)(bk.ClusterQueues.Update(ctx, org, cl.ID, q.ID, buildkite.ClusterQueueUpdate{Description: "Linux agents"}))
	if q.Description != "Linux agents" {
		t.Fatalf("queue update = %+v", q)
	}
	paused := ok[buildkite.ClusterQueue](t)(bk.ClusterQueues.Pause(ctx, org, cl.ID, q.ID, buildkite.ClusterQueuePause{Note: "Paused while we investigate a security issue"}))
	if !paused.DispatchPaused || paused.DispatchPausedNote != "Paused while we investigate a security issue" || paused.DispatchPausedBy == nil || paused.DispatchPausedAt == nil {
		t.Fatalf("paused = %+v", paused)
	}
	_, _, err := bk.ClusterQueues.Pause(ctx, org, cl.ID, q.ID, buildkite.ClusterQueuePause{Note: "again"})
	wantStatus(t, err, http.StatusUnprocessableEntity, "Cluster queue is already paused")
	if _, err := bk.ClusterQueues.Resume(ctx, org, cl.ID, q.ID); err != nil {
		t.Fatal(err)
	}
	if got := ok[buildkite.ClusterQueue](t)(bk.ClusterQueues.Get(ctx, org, cl.ID, q.ID)); got.DispatchPaused || got.DispatchPausedNote != "" {
		t.Fatalf("after resume = %+v", got)
	}
	_, err = bk.ClusterQueues.Resume(ctx, org, cl.ID, q.ID)
	wantStatus(t, err, http.StatusUnprocessableEntity, "Cluster queue is not paused")

	other := ok[buildkite.ClusterQueue](t)(bk.ClusterQueues.Create(ctx, org, cl.ID, buildkite.ClusterQueueCreate{Key: "spare"}))
	if list := ok[[]buildkite.ClusterQueue](t)(bk.ClusterQueues.List(ctx, org, cl.ID, nil)); len(list) != 2 {
		t.Fatalf("queues = %d", len(list))
	}
	if _, err := bk.ClusterQueues.Delete(ctx, org, cl.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = bk.ClusterQueues.Get(ctx, org, cl.ID, other.ID)
	wantStatus(t, err, http.StatusNotFound, "")

	if _, err := bk.Clusters.Delete(ctx, org, cl.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = bk.Clusters.Get(ctx, org, cl.ID)
	wantStatus(t, err, http.StatusNotFound, "")
}

func TestOfficialClientTokens(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()
	cl := ok[buildkite.Cluster](t)(bk.Clusters.Create(ctx, org, buildkite.ClusterCreate{Name: "Windows"}))

	tok := ok[buildkite.ClusterToken](t)(bk.ClusterTokens.Create(ctx, org, cl.ID, buildkite.ClusterTokenCreateUpdate{Description: "Windows agents", AllowedIPAddresses: "202.144.0.0/24"}))
	if tok.Token == "" || tok.Description != "Windows agents" || tok.AllowedIPAddresses != "202.144.0.0/24" {
		t.Fatalf("create = %+v", tok)
	}
	got := ok[buildkite.ClusterToken](t)(bk.ClusterTokens.Get(ctx, org, cl.ID, tok.ID))
	if got.Token != "" || got.ID != tok.ID {
		t.Fatalf("get shows the value or the wrong token: %+v", got)
	}
	up := ok[buildkite.ClusterToken](t)(bk.ClusterTokens.Update(ctx, org, cl.ID, tok.ID, buildkite.ClusterTokenCreateUpdate{Description: "Windows fleet"}))
	if up.Description != "Windows fleet" || up.Token != "" {
		t.Fatalf("update = %+v", up)
	}
	if list := ok[[]buildkite.ClusterToken](t)(bk.ClusterTokens.List(ctx, org, cl.ID, nil)); len(list) != 1 || list[0].Token != "" {
		t.Fatalf("list = %+v", list)
	}
	if _, err := bk.ClusterTokens.Delete(ctx, org, cl.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err := bk.ClusterTokens.Get(ctx, org, cl.ID, tok.ID)
	wantStatus(t, err, http.StatusNotFound, "")
}

func TestOfficialClientPipelines(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()
	cl := ok[buildkite.Cluster](t)(bk.Clusters.Create(ctx, org, buildkite.ClusterCreate{Name: "Default"}))

	p := ok[buildkite.Pipeline](t)(bk.Pipelines.Create(ctx, org, buildkite.CreatePipeline{Name: "My Pipeline X", ClusterID: cl.ID,
		Repository: "git@github.com:acme-inc/my-pipeline.git", Configuration: "steps:\n - command: \"script/release.sh\"\n"}))
	if p.Slug != "my-pipeline-x" || p.ClusterID != cl.ID || p.CreatedAt == nil {
		t.Fatalf("create = %+v", p)
	}
	_, _, err := bk.Pipelines.Create(ctx, org, buildkite.CreatePipeline{Name: "My Pipeline X", ClusterID: cl.ID, Repository: "x", Configuration: "steps: []"})
	wantStatus(t, err, http.StatusUnprocessableEntity, "Validation Failed")

	if _, err := bk.Pipelines.Archive(ctx, org, p.Slug); err != nil {
		t.Fatal(err)
	}
	if got := ok[buildkite.Pipeline](t)(bk.Pipelines.Get(ctx, org, p.Slug)); got.ArchivedAt == nil {
		t.Fatal("archive did not set archived_at")
	}
	if _, err := bk.Pipelines.Unarchive(ctx, org, p.Slug); err != nil {
		t.Fatal(err)
	}
	if got := ok[buildkite.Pipeline](t)(bk.Pipelines.Get(ctx, org, p.Slug)); got.ArchivedAt != nil {
		t.Fatal("unarchive did not clear archived_at")
	}
	if _, err := bk.Pipelines.Delete(ctx, org, p.Slug); err != nil {
		t.Fatal(err)
	}
	_, _, err = bk.Pipelines.Get(ctx, org, p.Slug)
	wantStatus(t, err, http.StatusNotFound, "")
}

func TestOfficialClientNextPage(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, nil)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()
	// 40 pipelines at 15 a page: 3 pages, followed as its docs show.
	opt := &buildkite.PipelineListOptions{ListOptions: buildkite.ListOptions{PerPage: 15}}
	var names []string
	pages := 0
	for {
		list, resp, err := bk.Pipelines.List(ctx, org, opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if resp.LastPage != 0 && resp.LastPage != 3 {
			t.Fatalf("LastPage = %d", resp.LastPage)
		}
		for _, p := range list {
			names = append(names, p.Name)
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if pages != 3 || len(names) != 40 {
		t.Fatalf("%d pages, %d pipelines", pages, len(names))
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Fatalf("%q listed twice", n)
		}
		seen[n] = true
	}
}

// The official client's typed provider settings, its build settings and
// AddWebhook against the sandbox: what it can express, it can set and
// read back.
func TestOfficialClientPipelineProperties(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()
	cl := ok[buildkite.Cluster](t)(bk.Clusters.Create(ctx, org, buildkite.ClusterCreate{Name: "Default"}))

	p := ok[buildkite.Pipeline](t)(bk.Pipelines.Create(ctx, org, buildkite.CreatePipeline{Name: "Typed", ClusterID: cl.ID,
		Repository: "git@github.com:acme-inc/typed.git", Configuration: "steps:\n - command: \"make\"\n",
		DefaultBranch: "trunk", Description: "typed settings", Env: map[string]string{"K": "v"},
		BranchConfiguration: "main feature/*", SkipQueuedBranchBuilds: true, SkipQueuedBranchBuildsFilter: "!main",
		CancelRunningBranchBuilds: true, CancelRunningBranchBuildsFilter: "develop", Visibility: "public", Tags: []string{":terraform:"},
		ProviderSettings: &buildkite.GitHubSettings{TriggerMode: "deployment", BuildPullRequests: true, BuildBranches: true,
			BuildPullRequestForks: true, PublishCommitStatus: true, FilterEnabled: true, FilterCondition: "build.branch == \"main\""},
	}))
	gh, isGitHub := p.Provider.Settings.(*buildkite.GitHubSettings)
	if !isGitHub || gh.TriggerMode != "deployment" || !gh.BuildPullRequestForks || !gh.FilterEnabled || gh.FilterCondition != `build.branch == "main"` || gh.Repository != "acme-inc/typed" {
		t.Fatalf("provider = %+v", p.Provider)
	}
	if p.DefaultBranch != "trunk" || p.BranchConfiguration != "main feature/*" || !p.SkipQueuedBranchBuilds || p.SkipQueuedBranchBuildsFilter != "!main" ||
		!p.CancelRunningBranchBuilds || p.CancelRunningBranchBuildsFilter != "develop" || p.Visibility != "public" || p.Env["K"] != "v" || len(p.Tags) != 1 {
		t.Fatalf("create = %+v", p)
	}

	up := ok[buildkite.Pipeline](t)(bk.Pipelines.Update(ctx, org, p.Slug, buildkite.UpdatePipeline{
		ProviderSettings:    &buildkite.GitHubSettings{TriggerMode: "none", BuildBranches: true},
		BranchConfiguration: "release/*", SkipQueuedBranchBuilds: true, CancelRunningBranchBuilds: false,
	}))
	if s := up.Provider.Settings.(*buildkite.GitHubSettings); s.TriggerMode != "none" || s.BuildPullRequests || up.BranchConfiguration != "release/*" || up.CancelRunningBranchBuilds {
		t.Fatalf("update = %+v / %+v", up, s)
	}

	// A Bitbucket setting block is refused for GitHub only where it names
	// a property GitHub lacks; GitLab settings are read-only in that client.
	bb := ok[buildkite.Pipeline](t)(bk.Pipelines.Create(ctx, org, buildkite.CreatePipeline{Name: "Bucket", ClusterID: cl.ID,
		Repository: "git@bitbucket.org:acme-inc/bucket.git", Configuration: "steps: []",
		ProviderSettings: &buildkite.BitbucketSettings{BuildPullRequests: false, BuildTags: true, PublishCommitStatusPerStep: true}}))
	if s, isBB := bb.Provider.Settings.(*buildkite.BitbucketSettings); !isBB || s.BuildPullRequests || !s.BuildTags || !s.PublishCommitStatusPerStep {
		t.Fatalf("bitbucket = %+v", bb.Provider)
	}
	_, _, err := bk.Pipelines.Update(ctx, org, bb.Slug, buildkite.UpdatePipeline{ProviderSettings: &buildkite.GitHubSettings{TriggerMode: "code"}})
	wantStatus(t, err, http.StatusUnprocessableEntity, "Validation Failed")

	if _, err := bk.Pipelines.AddWebhook(ctx, org, p.Slug); err != nil {
		t.Fatal(err)
	}
	_, err = bk.Pipelines.AddWebhook(ctx, org, p.Slug)
	wantStatus(t, err, http.StatusUnprocessableEntity, "Webhooks could not be created for your repository.")
	_, err = bk.Pipelines.AddWebhook(ctx, org, bb.Slug)
	wantStatus(t, err, http.StatusUnprocessableEntity, "Auto-creating webhooks is not supported for your repository.")

	// Visual steps, as that client writes them.
	vs := ok[buildkite.Pipeline](t)(bk.Pipelines.Create(ctx, org, buildkite.CreatePipeline{Name: "Visual", ClusterID: cl.ID, Repository: "git@github.com:acme-inc/v.git",
		Steps: []buildkite.Step{{Type: "script", Name: "Build :package:", Command: "script/release.sh"}, {Type: "waiter"}, {Type: "manual", Label: "Ship"}}}))
	if len(vs.Steps) != 3 || vs.Steps[0].Command != "script/release.sh" || vs.Steps[1].Type != "waiter" {
		t.Fatalf("steps = %+v", vs.Steps)
	}
}

// The official client's simplest queue life: create a cluster, create a
// queue in it, delete that queue. The queue is the cluster's only one; the
// docs never make it the default nor refuse its deletion, so neither may
// the sandbox. Its retry affinity round-trips too.
func TestOfficialClientDeletesTheQueueItCreated(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()

	cl := ok[buildkite.Cluster](t)(bk.Clusters.Create(ctx, org, buildkite.ClusterCreate{Name: "Linux"}))
	q := ok[buildkite.ClusterQueue](t)(bk.ClusterQueues.Create(ctx, org, cl.ID, buildkite.ClusterQueueCreate{Key: "default",
		RetryAgentAffinity: buildkite.RetryAgentAffinityPreferDifferent}))
	if q.RetryAgentAffinity != buildkite.RetryAgentAffinityPreferDifferent {
		t.Fatalf("retry affinity = %q", q.RetryAgentAffinity)
	}
	if got := ok[buildkite.Cluster](t)(bk.Clusters.Get(ctx, org, cl.ID)); got.DefaultQueueID != "" {
		t.Fatalf("the first queue became the default: %q", got.DefaultQueueID)
	}
	q = ok[buildkite.ClusterQueue](t)(bk.ClusterQueues.Update(ctx, org, cl.ID, q.ID, buildkite.ClusterQueueUpdate{RetryAgentAffinity: buildkite.RetryAgentAffinityPreferWarmest}))
	if q.RetryAgentAffinity != buildkite.RetryAgentAffinityPreferWarmest {
		t.Fatalf("retry affinity after update = %q", q.RetryAgentAffinity)
	}
	resp, err := bk.ClusterQueues.Delete(ctx, org, cl.ID, q.ID)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v (%v)", err, resp)
	}
	_, _, err = bk.ClusterQueues.Get(ctx, org, cl.ID, q.ID)
	wantStatus(t, err, http.StatusNotFound, "")
}
