package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// startLive serves a demo sandbox on a clock the test moves, some way
// into its simulation.
func startLive(t *testing.T) (*sandboxtest.Env, *sandboxtest.Clock) {
	t.Helper()
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now}, nil)
	clock.Add(20 * time.Minute)
	return env, clock
}

func TestBuildsClient(t *testing.T) {
	env, _ := startLive(t)
	ctx := context.Background()

	active := must[[]model.Build](t)(env.Client.ListBuilds(ctx, model.BuildFilter{States: []string{model.BuildScheduled, model.BuildRunning}}, nil))
	if len(active) == 0 {
		t.Fatal("no active builds")
	}
	for _, b := range active {
		if b.State != model.BuildScheduled && b.State != model.BuildRunning {
			t.Fatalf("state filter let through %s", b.State)
		}
		if len(b.Jobs) == 0 || b.Pipeline == nil {
			t.Fatalf("build %d of the organisation list has no jobs or pipeline", b.Number)
		}
	}
	var sent string
	for _, r := range env.Sandbox.Requests() {
		if strings.Contains(r.Path, "/builds?") {
			sent = r.Path
		}
	}
	if !strings.Contains(sent, "state%5B%5D=scheduled") || !strings.Contains(sent, "per_page=100") {
		t.Fatalf("the client sent %s", sent)
	}

	b := active[0]
	slug := b.Pipeline.Slug
	recent := must[[]model.Build](t)(env.Client.RecentBuilds(ctx, slug, model.BuildFilter{Branch: b.Branch, ExcludePipeline: true}, 5))
	if len(recent) == 0 || len(recent) > 5 || recent[0].Pipeline != nil {
		t.Fatalf("recent = %d builds, pipeline %v", len(recent), recent[0].Pipeline)
	}
	for _, x := range recent {
		if x.Branch != b.Branch {
			t.Fatalf("branch filter let through %s", x.Branch)
		}
	}
	ofPipeline := must[[]model.Build](t)(env.Client.ListPipelineBuilds(ctx, slug, model.BuildFilter{Commit: b.Commit}, nil))
	if len(ofPipeline) != 1 || ofPipeline[0].ID != b.ID {
		t.Fatalf("commit filter: %d builds", len(ofPipeline))
	}
	org := must[[]model.Build](t)(env.Client.RecentBuilds(ctx, "", model.BuildFilter{CreatedFrom: b.CreatedAt.Time, ExcludeJobs: true}, 100))
	for _, x := range org {
		if x.CreatedAt.Before(b.CreatedAt.Time) || len(x.Jobs) > 0 {
			t.Fatalf("created_from let through %s", x.CreatedAt)
		}
	}

	got := must[model.Build](t)(env.Client.GetBuild(ctx, slug, b.Number))
	if got.ID != b.ID || got.JobStateCounts == nil || got.JobStateCounts.Total != len(got.Jobs) {
		t.Fatalf("get = %+v", got)
	}
	wantAPIError(t, must2(env.Client.GetBuild(ctx, slug, 99999)), http.StatusNotFound, "No build found")

	jobs := must[[]model.Job](t)(env.Client.ListJobs(ctx, slug, b.Number, model.JobFilter{}, nil))
	if len(jobs) != len(got.Jobs) {
		t.Fatalf("ListJobs = %d jobs, the build has %d", len(jobs), len(got.Jobs))
	}
	j := must[model.Job](t)(env.Client.GetJob(ctx, slug, b.Number, jobs[0].ID))
	if j.ID != jobs[0].ID || j.DisplayName() == "" || j.BuildURL == "" {
		t.Fatalf("job = %+v", j)
	}
	wantAPIError(t, must2(env.Client.GetJob(ctx, slug, b.Number, "nope")), http.StatusNotFound, "No job found")
}

func TestListJobsFollowsTheCursor(t *testing.T) {
	clock := sandboxtest.NewClock()
	// The client asks for 100 jobs a page; this sandbox answers two a
	// page, so the client must follow links.next from cursor to cursor.
	twoPerPage := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/jobs") {
				q := r.URL.Query()
				q.Set("per_page", "2")
				r.URL.RawQuery = q.Encode()
			}
			h.ServeHTTP(w, r)
		})
	}
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now}, twoPerPage)
	clock.Add(20 * time.Minute)
	ctx := context.Background()
	builds := must[[]model.Build](t)(env.Client.RecentBuilds(ctx, "", model.BuildFilter{}, 100))
	var b model.Build
	for _, x := range builds {
		if len(x.Jobs) >= 5 {
			b = x
			break
		}
	}
	if b.ID == "" {
		t.Fatal("no build with five jobs")
	}
	var pages []int
	jobs, err := env.Client.ListJobs(ctx, b.Pipeline.Slug, b.Number, model.JobFilter{}, func(p api.Page[model.Job]) error {
		pages = append(pages, len(p.Items))
		return nil
	})
	want := (len(b.Jobs) + 1) / 2
	if err != nil || jobs != nil || len(pages) != want || pages[0] != 2 {
		t.Fatalf("ListJobs of %d jobs: pages %v, %v", len(b.Jobs), pages, err)
	}
	all := must[[]model.Job](t)(env.Client.ListJobs(ctx, b.Pipeline.Slug, b.Number, model.JobFilter{}, nil))
	for i, j := range b.Jobs {
		if all[i].ID != j.ID {
			t.Fatalf("job %d: %s by cursor, %s in the build", i, all[i].ID, j.ID)
		}
	}
	stop := errors.New("enough")
	if _, err := env.Client.ListJobs(ctx, b.Pipeline.Slug, b.Number, model.JobFilter{}, func(api.Page[model.Job]) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("a callback's error: %v", err)
	}
}

// A builds list with one build it cannot read and, in another build, one
// job it cannot read says so apart: the build with the unreadable job is
// listed, so it is not a build left out.
func TestABuildsListCountsSkippedJobsApartFromSkippedBuilds(t *testing.T) {
	clock := sandboxtest.NewClock()
	breakOne := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v2/organizations/acme/builds" || r.URL.Query().Get("page") > "1" {
				next.ServeHTTP(w, r) // the first page is broken, the others as served
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var builds []map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &builds); err != nil || len(builds) < 3 {
				t.Errorf("the sandbox's builds list: %d builds, %v", len(builds), err)
				return
			}
			jobs, _ := builds[0]["jobs"].([]any)
			if len(jobs) == 0 {
				t.Error("the first build has no jobs")
				return
			}
			jobs[0].(map[string]any)["state"] = 7 // a job's state of a shape not known here
			builds[1]["number"] = "seven"         // a build's number likewise
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_ = json.NewEncoder(w).Encode(builds)
		})
	}
	env := sandboxtest.Start(t, sandbox.Options{Now: clock.Now}, breakOne)
	clock.Add(20 * time.Minute)
	builds, err := env.Client.ListBuilds(context.Background(), model.BuildFilter{}, nil)
	skipped, partial := api.Partial(err)
	if !partial {
		t.Fatalf("err = %v, want a partial list", err)
	}
	if skipped.Count != 2 || skipped.Jobs != 1 {
		t.Fatalf("skipped %d (%d jobs), want 2 of which 1 job", skipped.Count, skipped.Jobs)
	}
	if got := skipped.Describe("build"); !strings.HasPrefix(got, "1 build and 1 job could not be read: ") {
		t.Fatalf("said %q", got)
	}
	if len(builds) == 0 || builds[0].SkippedJobs != 1 {
		t.Fatalf("the build with the unreadable job: %+v", builds)
	}
}
