package api_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// Every create/update property of the pipelines spec: set, read back,
// and cleared with null where the spec allows it.

func newPipeline(t *testing.T, c *api.Client, name, repository string, extra func(*model.PipelineCreate)) model.Pipeline {
	t.Helper()
	ctx := context.Background()
	clusters := must[[]model.Cluster](t)(c.ListClusters(ctx, nil))
	var clusterID string
	if len(clusters) > 0 {
		clusterID = clusters[0].ID
	} else {
		clusterID = must[model.Cluster](t)(c.CreateCluster(ctx, model.ClusterCreate{Name: "Primary"})).ID
	}
	in := model.PipelineCreate{Name: name, ClusterID: clusterID, Repository: repository, Configuration: model.DefaultConfiguration}
	if extra != nil {
		extra(&in)
	}
	return must[model.Pipeline](t)(c.CreatePipeline(ctx, in))
}

func TestPipelinePropertiesSetReadBackAndClear(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	template := "018e5a22-d14c-7085-bb28-db0f83f43a1c"
	team := "14e9501c-69fe-4cda-ae07-daea9ca3afd3"
	p := newPipeline(t, c, "Every Property", "git@github.com:acme-inc/every.git", func(in *model.PipelineCreate) {
		in.BranchConfiguration = "main feature/*"
		in.CancelRunningBranchBuilds, in.CancelRunningBranchBuildsFilter = true, "develop prs/*"
		in.SkipQueuedBranchBuilds, in.SkipQueuedBranchBuildsFilter = true, "!main"
		in.DefaultBranch, in.Description = "trunk", ":package: A testing pipeline"
		in.Env = map[string]string{"KEY": "value"}
		in.PipelineTemplateUUID = template
		in.Tags = []string{":terraform:", "testing"}
		in.Teams = map[string]string{team: "build_and_read"}
		in.Visibility = model.VisibilityPublic
		in.ProviderSettings = model.ProviderSettingsChange{"trigger_mode": "deployment", "build_pull_request_forks": true, "filter_condition": "build.branch == \"main\""}
	})
	got := must[model.Pipeline](t)(c.GetPipeline(ctx, p.Slug))
	check := func(what string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s not read back: %+v", what, got)
		}
	}
	check("branch_configuration", model.Value(got.BranchConfiguration) == "main feature/*")
	check("cancel_running_branch_builds", got.CancelRunningBranchBuilds && model.Value(got.CancelRunningBranchBuildsFilter) == "develop prs/*")
	check("skip_queued_branch_builds", got.SkipQueuedBranchBuilds && model.Value(got.SkipQueuedBranchBuildsFilter) == "!main")
	check("default_branch", got.DefaultBranch == "trunk")
	check("description", model.Value(got.Description) == ":package: A testing pipeline")
	check("env", got.Env["KEY"] == "value")
	check("pipeline_template_uuid", model.Value(got.PipelineTemplateUUID) == template)
	check("tags", strings.Join(got.Tags, ",") == ":terraform:,testing")
	check("visibility", got.Visibility == model.VisibilityPublic)
	check("trigger_mode", model.Value(got.Provider.Settings.TriggerMode) == "deployment")
	check("build_pull_request_forks", model.Value(got.Provider.Settings.BuildPullRequestForks))
	check("filter_condition", model.Value(got.Provider.Settings.FilterCondition) == `build.branch == "main"`)
	check("untouched provider default", model.Value(got.Provider.Settings.PublishCommitStatus))
	if teams, _ := env.Sandbox.PipelineTeams(p.Slug); !maps.Equal(teams, map[string]string{team: "build_and_read"}) {
		t.Errorf("teams = %v", teams)
	}

	// Update every property, then clear what the spec lets be null.
	other := must[model.Cluster](t)(c.CreateCluster(ctx, model.ClusterCreate{Name: "Other"}))
	up := model.PipelineUpdate{
		BranchConfiguration:             model.Set("release/*"),
		CancelRunningBranchBuilds:       model.Set(false),
		CancelRunningBranchBuildsFilter: model.Set("x/*"),
		SkipQueuedBranchBuilds:          model.Set(false),
		SkipQueuedBranchBuildsFilter:    model.Set("y/*"),
		ClusterID:                       model.Set(other.ID),
		DefaultBranch:                   model.Set("main"),
		Description:                     model.Set("changed"),
		Env:                             model.Set(map[string]string{"A": "1"}),
		PipelineTemplateUUID:            model.Set("018e5a22-d14c-7085-bb28-db0f83f43a1d"),
		Tags:                            model.Set([]string{"one"}),
		Visibility:                      model.Set(model.VisibilityPrivate),
		ProviderSettings:                model.ProviderSettingsChange{"trigger_mode": "none", "publish_commit_status": false},
	}
	got = must[model.Pipeline](t)(c.UpdatePipeline(ctx, p.Slug, up))
	check("updated branch_configuration", model.Value(got.BranchConfiguration) == "release/*")
	check("updated cancel", !got.CancelRunningBranchBuilds && model.Value(got.CancelRunningBranchBuildsFilter) == "x/*")
	check("updated skip", !got.SkipQueuedBranchBuilds && model.Value(got.SkipQueuedBranchBuildsFilter) == "y/*")
	check("updated cluster_id", model.Value(got.ClusterID) == other.ID)
	check("updated env", maps.Equal(got.Env, map[string]string{"A": "1"}))
	check("updated template", model.Value(got.PipelineTemplateUUID) == "018e5a22-d14c-7085-bb28-db0f83f43a1d")
	check("updated provider", model.Value(got.Provider.Settings.TriggerMode) == "none" && !model.Value(got.Provider.Settings.PublishCommitStatus))
	check("kept provider setting", model.Value(got.Provider.Settings.BuildPullRequestForks))

	got = must[model.Pipeline](t)(c.UpdatePipeline(ctx, p.Slug, model.PipelineUpdate{
		BranchConfiguration:             model.Null[string](),
		CancelRunningBranchBuildsFilter: model.Null[string](),
		SkipQueuedBranchBuildsFilter:    model.Null[string](),
		ClusterID:                       model.Null[string](),
		Description:                     model.Null[string](),
		PipelineTemplateUUID:            model.Null[string](),
		ProviderSettings:                model.ProviderSettingsChange{"filter_condition": nil},
	}))
	check("cleared", got.BranchConfiguration == nil && got.CancelRunningBranchBuildsFilter == nil && got.SkipQueuedBranchBuildsFilter == nil &&
		got.ClusterID == nil && got.Description == nil && got.PipelineTemplateUUID == nil && got.Provider.Settings.FilterCondition == nil)
	// What the request sent null for is null on the wire too, not "".
	raw := env.Sandbox.Requests()
	if last := raw[len(raw)-1]; last.Method != http.MethodPatch || last.Status != http.StatusOK {
		t.Fatalf("last request = %+v", last)
	}
}

func TestProviderSettingsBelongToTheProvider(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	cases := []struct {
		repository string
		provider   string
		allowed    string
		foreign    string
	}{
		{"git@github.com:acme/a.git", model.ProviderGitHub, "trigger_mode", "repository"},
		{"git@github.acme.internal:acme/b.git", model.ProviderGitHubEnterprise, "cancel_deleted_branch_builds", "trigger_mode"},
		{"git@bitbucket.org:acme/c.git", model.ProviderBitbucket, "publish_commit_status", "build_pull_request_forks"},
		{"ssh://git@bitbucket.acme.internal:7999/ops/d.git", model.ProviderBitbucketServer, "build_tags", "publish_commit_status"},
		{"git@gitlab.com:acme/e.git", model.ProviderGitLab, "filter_enabled", "build_branches"},
		{"https://git.acme.internal/f.git", model.ProviderGit, "filter_condition", "build_tags"},
	}
	for i, tc := range cases {
		p := newPipeline(t, c, "Provider "+string(rune('A'+i)), tc.repository, nil)
		if p.Provider.ID != tc.provider {
			t.Fatalf("%s: provider = %q, want %q", tc.repository, p.Provider.ID, tc.provider)
		}
		value := any(true)
		if tc.allowed == "trigger_mode" {
			value = "fork"
		} else if tc.allowed == "filter_condition" {
			value = "build.tag != null"
		}
		must[model.Pipeline](t)(c.UpdatePipeline(ctx, p.Slug, model.PipelineUpdate{ProviderSettings: model.ProviderSettingsChange{tc.allowed: value}}))

		// A wrong-provider setting is refused, and nothing else of the
		// request is applied.
		_, err := c.UpdatePipeline(ctx, p.Slug, model.PipelineUpdate{Description: model.Set("not kept"),
			ProviderSettings: model.ProviderSettingsChange{tc.foreign: true}})
		e := wantAPIError(t, err, http.StatusUnprocessableEntity, "Validation Failed")
		if !strings.Contains(e.Summary(), tc.foreign) {
			t.Fatalf("%s: %s", tc.provider, e.Summary())
		}
		if got := must[model.Pipeline](t)(c.GetPipeline(ctx, p.Slug)); got.Description != nil {
			t.Fatalf("a refused update changed the pipeline: %+v", got.Description)
		}
		// The same on create.
		_, err = c.CreatePipeline(ctx, model.PipelineCreate{Name: "Refused " + string(rune('A'+i)), ClusterID: model.Value(p.ClusterID),
			Repository: tc.repository, Configuration: model.DefaultConfiguration, ProviderSettings: model.ProviderSettingsChange{tc.foreign: true}})
		wantAPIError(t, err, http.StatusUnprocessableEntity, tc.foreign)
	}

	gh := newPipeline(t, c, "Enums", "git@github.com:acme/enums.git", nil)
	for _, bad := range []model.ProviderSettingsChange{
		{"trigger_mode": "push"},
		{"trigger_mode": 3},
		{"build_tags": "yes"},
		{"filter_condition": false},
		{"no_such_setting": true},
	} {
		_, err := c.UpdatePipeline(ctx, gh.Slug, model.PipelineUpdate{ProviderSettings: bad})
		wantAPIError(t, err, http.StatusUnprocessableEntity, "Provider settings")
	}
	for _, mode := range model.TriggerModes {
		got := must[model.Pipeline](t)(c.UpdatePipeline(ctx, gh.Slug, model.PipelineUpdate{ProviderSettings: model.ProviderSettingsChange{"trigger_mode": mode}}))
		if model.Value(got.Provider.Settings.TriggerMode) != mode {
			t.Fatalf("trigger_mode %s not kept", mode)
		}
	}
}

func TestPipelineTeamsAndVisibilityAreChecked(t *testing.T) {
	env := startEmpty(t)
	c := env.Client
	_, err := c.CreatePipeline(context.Background(), model.PipelineCreate{Name: "T", ClusterID: "x", Repository: "r", Configuration: model.DefaultConfiguration,
		Teams: map[string]string{"not-a-uuid": "admin"}, Visibility: "secret"})
	e := wantAPIError(t, err, http.StatusUnprocessableEntity, "Validation Failed")
	for _, want := range []string{"not a team UUID", `Access level "admin"`, "Visibility must be private or public", "Cluster could not be found"} {
		if !strings.Contains(e.Summary(), want) {
			t.Errorf("missing %q in %s", want, e.Summary())
		}
	}
}

func TestVisualStepPipeline(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	p := newPipeline(t, c, "Visual", "git@github.com:acme-inc/visual.git", func(in *model.PipelineCreate) {
		in.Configuration = ""
		in.Steps = []model.Step{
			{Type: model.StepScript, Name: model.Ptr("Build :package:"), Command: model.Ptr("script/release.sh")},
			{Type: model.StepWaiter},
			{Type: model.StepManual, Label: model.Ptr("Ship it")},
		}
	})
	got := must[model.Pipeline](t)(c.GetPipeline(ctx, p.Slug))
	if got.Configuration != "" || len(got.Steps) != 3 || got.Steps[1].Type != model.StepWaiter || model.Value(got.Steps[0].Command) != "script/release.sh" {
		t.Fatalf("steps = %+v (configuration %q)", got.Steps, got.Configuration)
	}
	_, err := c.CreatePipeline(ctx, model.PipelineCreate{Name: "Bad steps", ClusterID: model.Value(p.ClusterID), Repository: "r",
		Steps: []model.Step{{Type: model.StepScript}}})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "a script step needs a command")
}

func TestAddWebhook(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	gh := newPipeline(t, c, "Hooked", "git@github.com:acme-inc/hooked.git", nil)
	gl := newPipeline(t, c, "Not GitHub", "git@gitlab.com:acme-inc/lab.git", nil)

	ro := env.ClientWith(t, api.Config{Token: env.Sandbox.ReadOnlyToken()})
	wantAPIError(t, ro.AddWebhook(ctx, gh.Slug), http.StatusForbidden, "doesn't have the write_pipelines scope")

	if err := c.AddWebhook(ctx, gh.Slug); err != nil {
		t.Fatal(err)
	}
	if _, hooked := env.Sandbox.PipelineTeams(gh.Slug); !hooked {
		t.Fatal("the sandbox did not keep the webhook")
	}
	wantAPIError(t, c.AddWebhook(ctx, gh.Slug), http.StatusUnprocessableEntity, "Webhooks could not be created for your repository.")
	wantAPIError(t, c.AddWebhook(ctx, gl.Slug), http.StatusUnprocessableEntity, "Auto-creating webhooks is not supported for your repository.")
	wantAPIError(t, c.AddWebhook(ctx, "no-such-pipeline"), http.StatusNotFound, "")

	last := env.Writes()
	for _, r := range last {
		if strings.HasSuffix(r.Path, "/webhook") && r.Status == http.StatusCreated {
			return
		}
	}
	t.Fatalf("no 201 for the webhook: %+v", last)
}

func TestArchiveErrors(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	p := newPipeline(t, c, "Archivable", "git@github.com:acme-inc/arch.git", nil)
	ro := env.ClientWith(t, api.Config{Token: env.Sandbox.ReadOnlyToken()})
	_, err := ro.ArchivePipeline(ctx, p.Slug)
	wantAPIError(t, err, http.StatusForbidden, "doesn't have the write_pipelines scope")
	must[model.Pipeline](t)(c.ArchivePipeline(ctx, p.Slug))
	_, err = c.ArchivePipeline(ctx, p.Slug)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "Pipeline could not be archived.")
	must[model.Pipeline](t)(c.UnarchivePipeline(ctx, p.Slug))
	_, err = c.UnarchivePipeline(ctx, p.Slug)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "Pipeline could not be unarchived.")
}
