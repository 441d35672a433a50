package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// docsBuildsServer answers the organisation's builds as builds.md says the
// API does: state[] filters by each build's own state, and a build with a
// hard failure whose other jobs still run or wait is in state failing.
func docsBuildsServer(builds []map[string]any) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		states := r.URL.Query()["state[]"]
		out := []map[string]any{}
		for _, b := range builds {
			if len(states) == 0 || slices.Contains(states, b["state"].(string)) {
				out = append(out, b)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}
}

func job(state, queue string) map[string]any {
	return map[string]any{"id": state + "-" + queue, "type": "script", "state": state, "cluster_queue_id": queue,
		"runnable_at": "2026-08-01T10:00:00.000Z"}
}

// A failing build's waiting and running jobs are the queue's too: the
// console asks for failing builds besides scheduled and running ones, and
// counts timing_out jobs as running (they hold their agent).
func TestQueueLoadsCountAFailingBuildsJobs(t *testing.T) {
	builds := []map[string]any{
		{"id": "b1", "number": 1, "state": "running", "jobs": []any{job("running", "q1"), job("scheduled", "q1")}},
		{"id": "b2", "number": 2, "state": "failing", "failing_at": "2026-08-01T10:01:00.000Z",
			"jobs": []any{job("failed", "q1"), job("scheduled", "q1"), job("scheduled", "q1"), job("running", "q1"), job("timing_out", "q2")}},
		{"id": "b3", "number": 3, "state": "scheduled", "jobs": []any{job("scheduled", "q2")}},
		{"id": "b4", "number": 4, "state": "passed", "jobs": []any{job("passed", "q1")}},
	}
	c, _ := hostile(t, 1, docsBuildsServer(builds))
	loads, err := c.QueueLoads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]model.QueueLoad{"q1": {Waiting: 3, Running: 2}, "q2": {Waiting: 1, Running: 1}}
	for q, w := range want {
		if got := loads[q]; got.Waiting != w.Waiting || got.Running != w.Running {
			t.Errorf("queue %s: %d waiting, %d running; the builds hold %d, %d", q, got.Waiting, got.Running, w.Waiting, w.Running)
		}
	}
}

// pipelines.md: a new name brings a slug derived from it unless a slug is
// given; a slug can be set on create and on update; the slug a form will
// show (model.PipelineSlug, RenamedSlug) is the one the API gives.
func TestAPipelinesSlugFollowsItsName(t *testing.T) {
	env := startEmpty(t)
	c, ctx := env.Client, context.Background()
	p := newPipeline(t, c, "Hello there friend", "git@github.com:acme-inc/hello.git", nil)
	if p.Slug != "hello-there-friend" {
		t.Fatalf("slug = %q", p.Slug)
	}
	rename := model.PipelineUpdate{Name: model.Set("Hello    There Folks")}
	want := must[string](t)(model.RenamedSlug(p, rename))
	renamed := must[model.Pipeline](t)(c.UpdatePipeline(ctx, p.Slug, rename))
	if renamed.Slug != "hello-there-folks" || renamed.Slug != want {
		t.Fatalf("renamed: slug %q, the form said %q", renamed.Slug, want)
	}
	if _, err := c.GetPipeline(ctx, p.Slug); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("the old slug still answers: %v", err)
	}
	custom := model.PipelineUpdate{Name: model.Set("Greetings"), Slug: model.Set("hello-custom")}
	if got := must[model.Pipeline](t)(c.UpdatePipeline(ctx, renamed.Slug, custom)); got.Slug != "hello-custom" || got.Name != "Greetings" {
		t.Fatalf("rename with a slug: %+v", got)
	}
	if got := must[model.Pipeline](t)(c.UpdatePipeline(ctx, "hello-custom", model.PipelineUpdate{Name: model.Set("Greetings")})); got.Slug != "hello-custom" {
		t.Fatalf("the same name again changed the slug to %q", got.Slug)
	}
	made := newPipeline(t, c, "Made with a slug", "git@github.com:acme-inc/made.git", func(in *model.PipelineCreate) { in.Slug = "made-2" })
	if slug := must[string](t)(model.PipelineSlug("Made with a slug", "made-2")); made.Slug != "made-2" || slug != made.Slug {
		t.Fatalf("created with a slug: %q (form %q)", made.Slug, slug)
	}
	_, err := c.UpdatePipeline(ctx, "made-2", model.PipelineUpdate{Slug: model.Set("hello-custom")})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "Slug has already been taken")
	_, err = c.UpdatePipeline(ctx, "made-2", model.PipelineUpdate{Slug: model.Set("-bad slug")})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "")
}
