package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

func startEmpty(t *testing.T) *sandboxtest.Env {
	return sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantAPIError(t *testing.T, err error, status int, message string) *api.Error {
	t.Helper()
	var apiErr *api.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an *api.Error %d, got %v", status, err)
	}
	if apiErr.StatusCode != status {
		t.Fatalf("status = %d, want %d (%v)", apiErr.StatusCode, status, err)
	}
	if message != "" && !strings.Contains(apiErr.Summary(), message) {
		t.Fatalf("message = %q, want it to contain %q", apiErr.Summary(), message)
	}
	return apiErr
}

func TestClusters(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()

	created := must[model.Cluster](t)(c.CreateCluster(ctx, model.ClusterCreate{Name: "Open Source",
		Description: "A place for safely running our open source builds", Emoji: ":technologist:", Color: "#FFE0F1"}))
	if created.ID == "" || created.Name != "Open Source" || model.Value(created.Color) != "#FFE0F1" || created.DefaultQueueID != nil {
		t.Fatalf("created = %+v", created)
	}
	if created.CreatedBy.DisplayName() == "" || created.CreatedAt == nil {
		t.Fatalf("created_by/created_at missing: %+v", created)
	}
	got := must[model.Cluster](t)(c.GetCluster(ctx, created.ID))
	if got.Name != created.Name || got.URL != created.URL {
		t.Fatalf("get = %+v, want %+v", got, created)
	}
	all := must[[]model.Cluster](t)(c.ListClusters(ctx, nil))
	if len(all) != 1 || all[0].ID != created.ID {
		t.Fatalf("list = %+v", all)
	}

	// An update sends only what it sets: the description stays.
	updated := must[model.Cluster](t)(c.UpdateCluster(ctx, created.ID, model.ClusterUpdate{Name: model.Set("OSS")}))
	if updated.Name != "OSS" || model.Value(updated.Description) != "A place for safely running our open source builds" {
		t.Fatalf("updated = %+v", updated)
	}

	// The default queue: none until an update sets it (a first queue
	// does not become it), then the one set.
	must[model.Queue](t)(c.CreateSelfHostedQueue(ctx, created.ID, "default", ""))
	second := must[model.Queue](t)(c.CreateSelfHostedQueue(ctx, created.ID, "linux", "Linux agents"))
	if got := must[model.Cluster](t)(c.GetCluster(ctx, created.ID)); got.DefaultQueueID != nil || got.DefaultQueueURL != nil {
		t.Fatalf("default queue = %v, want none until set", got.DefaultQueueID)
	}
	updated = must[model.Cluster](t)(c.UpdateCluster(ctx, created.ID, model.ClusterUpdate{DefaultQueueID: model.Set(second.ID)}))
	if model.Value(updated.DefaultQueueID) != second.ID || !strings.HasSuffix(model.Value(updated.DefaultQueueURL), second.ID) {
		t.Fatalf("default queue not changed: %+v", updated)
	}

	_, err := c.UpdateCluster(ctx, created.ID, model.ClusterUpdate{Color: model.Set("pink")})
	wantAPIError(t, err, 422, "Validation failed: Color")
	_, err = c.CreateCluster(ctx, model.ClusterCreate{})
	wantAPIError(t, err, 422, "Validation failed: Name can't be blank")

	// Deleting a cluster deletes its queues and tokens with it.
	must[model.Token](t)(c.CreateToken(ctx, created.ID, model.TokenCreate{Description: "agents"}))
	if err := c.DeleteCluster(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCluster(ctx, created.ID)
	if !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("after delete: %v, want 404", err)
	}
	_, err = c.ListQueues(ctx, created.ID, nil)
	wantAPIError(t, err, 404, "")
	_, err = c.ListTokens(ctx, created.ID, nil)
	wantAPIError(t, err, 404, "")
}

func TestQueues(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	cl := must[model.Cluster](t)(c.CreateCluster(ctx, model.ClusterCreate{Name: "Mobile"}))

	self := must[model.Queue](t)(c.CreateSelfHostedQueue(ctx, cl.ID, "default", "Android builds"))
	if self.Hosted || self.HostedAgents != nil || model.Value(self.Description) != "Android builds" {
		t.Fatalf("self-hosted = %+v", self)
	}
	hosted := must[model.Queue](t)(c.CreateHostedQueue(ctx, cl.ID, "macos", "iOS", "MACOS_ARM64_M4_6X28"))
	if !hosted.Hosted || hosted.HostedAgents.InstanceShape != (model.InstanceShape{MachineType: "macos", Architecture: "arm64", CPU: 6, Memory: 28, Name: "MACOS_ARM64_M4_6X28"}) {
		t.Fatalf("hosted = %+v", hosted)
	}
	_, err := c.CreateHostedQueue(ctx, cl.ID, "old", "", "MACOS_M2_4X7")
	wantAPIError(t, err, 422, "deprecated")
	_, err = c.CreateHostedQueue(ctx, cl.ID, "bogus", "", "LINUX_AMD64_1X1")
	wantAPIError(t, err, 422, "not one of")
	_, err = c.CreateSelfHostedQueue(ctx, cl.ID, "default", "")
	wantAPIError(t, err, 422, "Key has already been taken")
	_, err = c.CreateSelfHostedQueue(ctx, cl.ID, "", "")
	wantAPIError(t, err, 422, "Key can't be blank")

	if got := must[model.Queue](t)(c.GetQueue(ctx, cl.ID, hosted.ID)); got.Key != "macos" {
		t.Fatalf("get = %+v", got)
	}
	if list := must[[]model.Queue](t)(c.ListQueues(ctx, cl.ID, nil)); len(list) != 2 {
		t.Fatalf("list = %d queues", len(list))
	}

	// Updates: the description alone; a resize; never another machine type.
	up := must[model.Queue](t)(c.UpdateQueue(ctx, cl.ID, hosted.ID, model.QueueUpdate{Description: model.Set("iOS builds")}))
	if model.Value(up.Description) != "iOS builds" || up.HostedAgents.InstanceShape.Name != "MACOS_ARM64_M4_6X28" {
		t.Fatalf("update = %+v", up)
	}
	up = must[model.Queue](t)(c.UpdateQueue(ctx, cl.ID, hosted.ID, model.QueueUpdate{HostedAgents: &model.HostedAgentsRequest{InstanceShape: "MACOS_ARM64_M4_12X56"}}))
	if up.HostedAgents.InstanceShape.CPU != 12 || model.Value(up.Description) != "iOS builds" {
		t.Fatalf("resize = %+v", up)
	}
	_, err = c.UpdateQueue(ctx, cl.ID, hosted.ID, model.QueueUpdate{HostedAgents: &model.HostedAgentsRequest{InstanceShape: "LINUX_ARM64_2X4"}})
	wantAPIError(t, err, 422, "machine type")
	_, err = c.UpdateQueue(ctx, cl.ID, self.ID, model.QueueUpdate{HostedAgents: &model.HostedAgentsRequest{InstanceShape: "LINUX_ARM64_2X4"}})
	wantAPIError(t, err, 422, "self-hosted")

	// Pause with a note, then the 422s of the spec, then resume.
	paused := must[model.Queue](t)(c.PauseQueue(ctx, cl.ID, hosted.ID, "Paused while we investigate a security issue"))
	if !paused.DispatchPaused || model.Value(paused.DispatchPausedNote) != "Paused while we investigate a security issue" ||
		paused.DispatchPausedBy.DisplayName() != "Sam Kim" || paused.DispatchPausedAt == nil {
		t.Fatalf("paused = %+v", paused)
	}
	_, err = c.PauseQueue(ctx, cl.ID, hosted.ID, "again")
	if !errors.Is(err, api.ErrUnprocessable) {
		t.Fatalf("double pause: %v", err)
	}
	wantAPIError(t, err, 422, "Cluster queue is already paused")
	resumed := must[model.Queue](t)(c.ResumeQueue(ctx, cl.ID, hosted.ID))
	if resumed.DispatchPaused || resumed.DispatchPausedBy != nil || resumed.DispatchPausedAt != nil || resumed.DispatchPausedNote != nil {
		t.Fatalf("resumed = %+v", resumed)
	}
	_, err = c.ResumeQueue(ctx, cl.ID, hosted.ID)
	wantAPIError(t, err, 422, "Cluster queue is not paused")
	// An empty note is allowed.
	if q := must[model.Queue](t)(c.PauseQueue(ctx, cl.ID, self.ID, "")); !q.DispatchPaused || q.DispatchPausedNote != nil {
		t.Fatalf("pause without note = %+v", q)
	}

	// Any queue can be deleted, the default one too (the docs name no
	// rule against it): the cluster is then left without a default.
	_, err = c.GetQueue(ctx, cl.ID, "no-such-queue")
	wantAPIError(t, err, 404, "")
	must[model.Cluster](t)(c.UpdateCluster(ctx, cl.ID, model.ClusterUpdate{DefaultQueueID: model.Set(self.ID)}))
	if err := c.DeleteQueue(ctx, cl.ID, self.ID); err != nil {
		t.Fatalf("deleting the default queue: %v", err)
	}
	if got := must[model.Cluster](t)(c.GetCluster(ctx, cl.ID)); got.DefaultQueueID != nil {
		t.Fatalf("the cluster still names a deleted default queue: %v", *got.DefaultQueueID)
	}
	if err := c.DeleteQueue(ctx, cl.ID, hosted.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetQueue(ctx, cl.ID, hosted.ID)
	wantAPIError(t, err, 404, "")
}

func TestTokens(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	cl := must[model.Cluster](t)(c.CreateCluster(ctx, model.ClusterCreate{Name: "Windows"}))

	expires := sandboxtest.Now.Add(90 * 24 * time.Hour).Truncate(time.Second)
	tok := must[model.Token](t)(c.CreateToken(ctx, cl.ID, model.TokenCreate{Description: "Windows agents",
		ExpiresAt: model.NewTimestamp(expires), AllowedIPAddresses: "202.144.0.0/24  10.0.0.0/8"}))
	if tok.Token == "" || tok.Description != "Windows agents" || !tok.ExpiresAt.Equal(expires) ||
		model.Value(tok.AllowedIPAddresses) != "202.144.0.0/24 10.0.0.0/8" {
		t.Fatalf("created = %+v / %q", tok, model.Value(tok.AllowedIPAddresses))
	}
	if strings.Contains(tok.String(), tok.Token) || strings.Contains(tok.GoString(), tok.Token) {
		t.Fatal("a token's String shows its value")
	}
	// The value is in the create reply only.
	if got := must[model.Token](t)(c.GetToken(ctx, cl.ID, tok.ID)); got.Token != "" || got.Description != "Windows agents" {
		t.Fatalf("get = %+v", got)
	}
	for _, l := range must[[]model.Token](t)(c.ListTokens(ctx, cl.ID, nil)) {
		if l.Token != "" {
			t.Fatal("list shows a token's value")
		}
	}

	up := must[model.Token](t)(c.UpdateToken(ctx, cl.ID, tok.ID, model.TokenUpdate{Description: model.Set("Windows fleet")}))
	if up.Description != "Windows fleet" || model.Value(up.AllowedIPAddresses) != "202.144.0.0/24 10.0.0.0/8" || up.Token != "" {
		t.Fatalf("update = %+v", up)
	}
	// Expiry and addresses are fixed at creation: an update that sets
	// them is refused before anything is sent.
	env.Sandbox.ResetRequests()
	_, err := c.UpdateToken(ctx, cl.ID, tok.ID, model.TokenUpdate{Description: model.Set("x"), AllowedIPAddresses: model.Set("10.0.0.0/8")})
	if !errors.Is(err, api.ErrTokenUnchangeable) || !strings.Contains(err.Error(), "allowed IP addresses") || len(env.Sandbox.Requests()) != 0 {
		t.Fatalf("an update of the addresses: %v (%d requests)", err, len(env.Sandbox.Requests()))
	}
	_, err = c.UpdateToken(ctx, cl.ID, tok.ID, model.TokenUpdate{ExpiresAt: model.Set(model.Timestamp{Time: expires.Add(time.Hour)})})
	if !errors.Is(err, api.ErrTokenUnchangeable) || !strings.Contains(err.Error(), "expiry") {
		t.Fatalf("an update of the expiry: %v", err)
	}
	if got := must[model.Token](t)(c.GetToken(ctx, cl.ID, tok.ID)); !got.ExpiresAt.Equal(expires) || got.Description != "Windows fleet" {
		t.Fatalf("after refused updates: %+v", got)
	}
	_, err = c.CreateToken(ctx, cl.ID, model.TokenCreate{Description: "old", ExpiresAt: model.NewTimestamp(sandboxtest.Now.Add(-time.Hour))})
	wantAPIError(t, err, 422, "Expires at must be at least 10 minutes in the future")
	_, err = c.CreateToken(ctx, cl.ID, model.TokenCreate{Description: "soon", ExpiresAt: model.NewTimestamp(sandboxtest.Now.Add(5 * time.Minute))})
	wantAPIError(t, err, 422, "Expires at must be at least 10 minutes in the future")
	_, err = c.CreateToken(ctx, cl.ID, model.TokenCreate{})
	wantAPIError(t, err, 422, "Description can't be blank")

	if err := c.RevokeToken(ctx, cl.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(ctx, cl.ID, tok.ID)
	wantAPIError(t, err, 404, "")
}

func TestPipelines(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	cl := must[model.Cluster](t)(c.CreateCluster(ctx, model.ClusterCreate{Name: "Default"}))

	p := must[model.Pipeline](t)(c.CreatePipeline(ctx, model.PipelineCreate{Name: "Hello    There Friend", ClusterID: cl.ID,
		Repository: "git@github.com:acme-inc/hello.git", Configuration: "env:\n  FOO: bar\nsteps:\n  - command: make test\n    label: Test\n",
		Description: "says hi", Tags: []string{":terraform:", "testing"}}))
	if p.Slug != "hello-there-friend" || model.Value(p.ClusterID) != cl.ID || p.Provider.ID != "github" ||
		model.Value(p.Provider.Settings.Repository) != "acme-inc/hello" || p.Env["FOO"] != "bar" ||
		len(p.Steps) != 1 || model.Value(p.Steps[0].Command) != "make test" || model.Value(p.Steps[0].Name) != "Test" {
		t.Fatalf("created = %+v", p)
	}
	if got := must[model.Pipeline](t)(c.GetPipeline(ctx, p.Slug)); got.ID != p.ID || got.Configuration == "" {
		t.Fatalf("get = %+v", got)
	}

	_, err := c.CreatePipeline(ctx, model.PipelineCreate{Name: "hello there friend", ClusterID: cl.ID, Repository: "x", Configuration: model.DefaultConfiguration})
	apiErr := wantAPIError(t, err, 422, "Validation Failed")
	if len(apiErr.Errors) != 1 || apiErr.Errors[0] != "name: Name has already been taken" {
		t.Fatalf("errors = %q", apiErr.Errors)
	}
	_, err = c.CreatePipeline(ctx, model.PipelineCreate{Name: "Bad YAML", ClusterID: cl.ID, Repository: "x", Configuration: "steps: [unclosed"})
	wantAPIError(t, err, 422, "configuration: Configuration is not valid YAML")

	// PATCH changes only what is set; null removes the cluster.
	up := must[model.Pipeline](t)(c.UpdatePipeline(ctx, p.Slug, model.PipelineUpdate{DefaultBranch: model.Set("trunk"), ClusterID: model.Null[string]()}))
	if up.DefaultBranch != "trunk" || up.ClusterID != nil || model.Value(up.Description) != "says hi" || len(up.Tags) != 2 {
		t.Fatalf("update = %+v", up)
	}

	arch := must[model.Pipeline](t)(c.ArchivePipeline(ctx, p.Slug))
	if !arch.Archived() {
		t.Fatal("archive did not set archived_at")
	}
	_, err = c.ArchivePipeline(ctx, p.Slug)
	wantAPIError(t, err, 422, "Pipeline could not be archived.")
	_, err = c.UpdatePipeline(ctx, p.Slug, model.PipelineUpdate{Description: model.Set("x")})
	wantAPIError(t, err, 422, "read-only")
	unarch := must[model.Pipeline](t)(c.UnarchivePipeline(ctx, p.Slug))
	if unarch.Archived() {
		t.Fatal("unarchive did not clear archived_at")
	}
	_, err = c.UnarchivePipeline(ctx, p.Slug)
	wantAPIError(t, err, 422, "Pipeline could not be unarchived.")

	if err := c.DeletePipeline(ctx, p.Slug); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPipeline(ctx, p.Slug)
	wantAPIError(t, err, 404, "")
}

func TestPaginationDeliversEveryPageInOrder(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pagingPipelines}, nil)
	const pages = pagingPipelines / api.PerPage
	var numbers []int
	var seen int
	all, err := env.Client.ListPipelines(context.Background(), func(p api.Page[model.Pipeline]) error {
		numbers = append(numbers, p.Number)
		seen += len(p.Items)
		if p.Number < pages && p.Last != pages {
			t.Errorf("page %d: Last = %d, want %d", p.Number, p.Last, pages)
		}
		if len(p.Items) != api.PerPage {
			t.Errorf("page %d has %d items", p.Number, len(p.Items))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if all != nil || seen != pagingPipelines || len(numbers) != pages || numbers[0] != 1 || numbers[pages-1] != pages {
		t.Fatalf("got %d pipelines in %d pages (and %d kept)", seen, len(numbers), len(all))
	}
	gets := 0
	for _, r := range env.Sandbox.Requests() {
		if strings.Contains(r.Path, "/pipelines") {
			gets++
			if !strings.Contains(r.Path, "per_page=100") {
				t.Errorf("request %s does not ask for 100 per page", r.Path)
			}
		}
	}
	if gets != pages {
		t.Fatalf("%d requests for %d pages", gets, pages)
	}
	all, err = env.Client.ListPipelines(context.Background(), nil)
	if err != nil || len(all) != pagingPipelines {
		t.Fatalf("without a callback: %d, %v", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if strings.ToLower(all[i-1].Name) > strings.ToLower(all[i].Name) {
			t.Fatalf("pipelines out of order at %d: %q > %q", i, all[i-1].Name, all[i].Name)
		}
	}

	// A callback's error stops the listing at once: in the organisation
	// of 10,000 (100 pages), far more pages are left than workers can
	// have on their way, and what it costs is the pages read before the
	// stop.
	env = sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge}, nil)
	stop := errors.New("enough")
	delivered, atStop := 0, 0
	_, err = env.Client.ListPipelines(context.Background(), func(p api.Page[model.Pipeline]) error {
		delivered += len(p.Items)
		if p.Number == 3 {
			atStop = len(env.Sandbox.Requests())
			return stop
		}
		return nil
	})
	// Requests already on their way (at most one a worker) may still
	// arrive, but no new one starts: how many were sent before the stop
	// depends on how the workers were scheduled, what comes after does not.
	if n := len(env.Sandbox.Requests()); !errors.Is(err, stop) || delivered != 300 || n > atStop+api.DefaultParallel {
		t.Fatalf("stop: err=%v, %d items, %d requests (%d at the stop)", err, delivered, n, atStop)
	}
}

func TestErrorClasses(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx := context.Background()

	bad := env.ClientWith(t, api.Config{Token: "not-a-token"})
	_, err := bad.ListClusters(ctx, nil)
	apiErr := wantAPIError(t, err, http.StatusUnauthorized, "Authentication required")
	// A 401 is a token not accepted at all: no scope would mend it.
	if apiErr.Scope != "" || !errors.Is(err, api.ErrUnauthorized) || strings.Contains(err.Error(), "scope") ||
		!strings.Contains(err.Error(), "token was not accepted") {
		t.Fatalf("401: scope %q, %v", apiErr.Scope, err)
	}
	if strings.Contains(err.Error(), "not-a-token") {
		t.Fatal("the error shows the token")
	}

	ro := env.ClientWith(t, api.Config{Token: env.Sandbox.ReadOnlyToken()})
	if _, err := ro.ListPipelines(ctx, nil); err != nil {
		t.Fatalf("a read-only token cannot read: %v", err)
	}
	_, err = ro.CreatePipeline(ctx, model.PipelineCreate{Name: "x"})
	apiErr = wantAPIError(t, err, http.StatusForbidden, "doesn't have the write_pipelines scope")
	if apiErr.Scope != api.ScopeWritePipelines || !strings.Contains(err.Error(), "write_pipelines scope") {
		t.Fatalf("403: %v", err)
	}
	clusters := must[[]model.Cluster](t)(ro.ListClusters(ctx, nil))
	_, err = ro.PauseQueue(ctx, clusters[0].ID, model.Value(clusters[0].DefaultQueueID), "")
	if wantAPIError(t, err, http.StatusForbidden, "").Scope != api.ScopeWriteClusters {
		t.Fatal("403 on a cluster write names the wrong scope")
	}

	_, err = env.Client.GetPipeline(ctx, "no-such-pipeline")
	if !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("404: %v", err)
	}
	other, err := api.New(api.Config{Endpoint: env.Server.URL, Org: "someone-else", Token: env.Sandbox.Token()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.ListClusters(ctx, nil)
	wantAPIError(t, err, 404, "No organization found")
}

func TestReadOnlyClientSendsNothing(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ro := env.ClientWith(t, api.Config{ReadOnly: true})
	clusters := must[[]model.Cluster](t)(ro.ListClusters(context.Background(), nil))
	env.Sandbox.ResetRequests()
	_, err := ro.PauseQueue(context.Background(), clusters[0].ID, model.Value(clusters[0].DefaultQueueID), "no")
	if !errors.Is(err, api.ErrReadOnly) {
		t.Fatalf("pause in read-only: %v", err)
	}
	if err := ro.DeleteCluster(context.Background(), clusters[0].ID); !errors.Is(err, api.ErrReadOnly) {
		t.Fatalf("delete in read-only: %v", err)
	}
	if n := len(env.Sandbox.Requests()); n != 0 {
		t.Fatalf("%d requests reached the sandbox", n)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	for _, cfg := range []api.Config{
		{Org: "acme"},
		{Token: "t"},
		{Org: "acme", Token: "t", Endpoint: "ftp://example.com"},
		{Org: "acme", Token: "t", Endpoint: "::not a url"},
	} {
		if _, err := api.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	c, err := api.New(api.Config{Org: "acme", Token: "t"})
	if err != nil || c.Endpoint() != api.DefaultEndpoint {
		t.Fatalf("default endpoint: %v %v", c, err)
	}
}
