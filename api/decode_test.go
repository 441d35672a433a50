package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// docsJSON reads one of the docs' example replies (testdata/README.md).
func docsJSON(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatal(err)
	}
}

// serveJSON answers every request with v as JSON.
func serveJSON(v any, header map[string]string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		for k, val := range header {
			w.Header().Set(k, val)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

// A job of a shape this build cannot read (exit_status a string) costs
// that job only: "Get a build" of the docs' example, with a second,
// unreadable job, is the build and its readable job, with the skip
// reported beside it.
func TestGetBuildSkipsAnUnreadableJob(t *testing.T) {
	var build map[string]any
	docsJSON(t, "docs-get-build.json", &build)
	jobs := build["jobs"].([]any)
	bad := map[string]any{}
	for k, v := range jobs[0].(map[string]any) {
		bad[k] = v
	}
	bad["id"], bad["exit_status"] = "bad-job", "zero"
	build["jobs"] = append(jobs, bad)
	c, _ := hostile(t, 1, serveJSON(build, nil))
	b, err := c.GetBuild(context.Background(), "my-pipeline", 1)
	skipped, partial := api.Partial(err)
	if !partial || skipped.Count != 1 || !strings.Contains(skipped.Error(), "job 2 of build 2") {
		t.Fatalf("err = %v; want one job skipped", err)
	}
	if b.Number != 2 || len(b.Jobs) != 1 || b.Jobs[0].ID != jobs[0].(map[string]any)["id"] || b.Pipeline == nil {
		t.Fatalf("build = %d with %d jobs", b.Number, len(b.Jobs))
	}
}

// The docs' "List builds" example with an unreadable build and a build
// with an unreadable job: the one build is skipped, the other keeps its
// readable jobs, and both skips are reported with the list, by
// ListBuilds, RecentBuilds and QueueLoads alike.
func TestBuildListsSkipAnUnreadableBuildOrJob(t *testing.T) {
	var builds []map[string]any
	docsJSON(t, "docs-list-builds.json", &builds)
	good := builds[0]
	clone := func(m map[string]any) map[string]any {
		data, _ := json.Marshal(m)
		var out map[string]any
		_ = json.Unmarshal(data, &out)
		return out
	}
	unreadable := clone(good)
	unreadable["number"] = "two"
	withBadJob := clone(good)
	withBadJob["number"] = 3
	jobs := withBadJob["jobs"].([]any)
	badJob := clone(jobs[0].(map[string]any))
	badJob["agent"] = "not an agent"
	withBadJob["jobs"] = append(jobs, badJob)
	c, _ := hostile(t, 1, serveJSON([]any{good, unreadable, withBadJob}, nil))
	ctx := context.Background()

	check := func(what string, got []model.Build, err error) {
		t.Helper()
		skipped, partial := api.Partial(err)
		if !partial || skipped.Count != 2 {
			t.Fatalf("%s: err = %v; want a build and a job skipped", what, err)
		}
		if len(got) != 2 || got[0].Number != 1 || got[1].Number != 3 || len(got[1].Jobs) != len(jobs) {
			t.Fatalf("%s: %d builds", what, len(got))
		}
	}
	list, err := c.ListBuilds(ctx, model.BuildFilter{}, nil)
	check("ListBuilds", list, err)
	recent, err := c.RecentBuilds(ctx, "my-pipeline", model.BuildFilter{}, 100)
	check("RecentBuilds", recent, err)
	var paged []model.Build
	_, err = c.ListPipelineBuilds(ctx, "my-pipeline", model.BuildFilter{}, func(p api.Page[model.Build]) error {
		paged = append(paged, p.Items...)
		return nil
	})
	check("ListPipelineBuilds by page", paged, err)
}

// The docs' "List jobs" example with an unreadable job beside it.
func TestListJobsSkipsAnUnreadableJob(t *testing.T) {
	var page map[string]any
	docsJSON(t, "docs-list-jobs.json", &page)
	items := page["items"].([]any)
	bad := map[string]any{"id": "bad", "type": "script", "state": 5}
	page["items"] = append(items, bad)
	delete(page, "links") // the docs' next link is the real API's
	c, _ := hostile(t, 1, serveJSON(page, nil))
	got, err := c.ListJobs(context.Background(), "my-pipeline", 1, model.JobFilter{}, nil)
	skipped, partial := api.Partial(err)
	if !partial || skipped.Count != 1 || len(got) != len(items) || got[0].ID != items[0].(map[string]any)["id"] {
		t.Fatalf("%d jobs, err = %v", len(got), err)
	}
	var apiErr *api.Error
	if errors.As(err, &apiErr) {
		t.Fatal("a skip reads as a failure of the list")
	}
}

// :builds shows the first hundred: the client says whether there are
// more, and about how many, from the Link header.
func TestRecentBuildsSaysThereAreMore(t *testing.T) {
	var builds []map[string]any
	docsJSON(t, "docs-list-builds.json", &builds)
	link := `<http://x/v2/organizations/acme/builds?page=2&per_page=100>; rel="next", <http://x/v2/organizations/acme/builds?page=24&per_page=100>; rel="last"`
	c, _ := hostile(t, 1, serveJSON(builds, map[string]string{"Link": link}))
	got, more, err := c.RecentBuildsMore(context.Background(), "", model.BuildFilter{}, 100)
	if err != nil || len(got) != 1 || !more.More || more.About != 2301 {
		t.Fatalf("%d builds, %+v, %v", len(got), more, err)
	}
	c, _ = hostile(t, 1, serveJSON(builds, nil))
	if _, more, err = c.RecentBuildsMore(context.Background(), "", model.BuildFilter{}, 100); err != nil || more.More {
		t.Fatalf("without a next page: %+v, %v", more, err)
	}
}
