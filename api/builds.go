package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// buildQuery is a build filter as the list endpoints read it.
func buildQuery(f model.BuildFilter) url.Values {
	q := url.Values{}
	for _, s := range f.States {
		q.Add("state[]", s)
	}
	if f.Branch != "" {
		q.Set("branch", f.Branch)
	}
	if f.Commit != "" {
		q.Set("commit", f.Commit)
	}
	if !f.CreatedFrom.IsZero() {
		q.Set("created_from", f.CreatedFrom.UTC().Format(time.RFC3339))
	}
	if !f.CreatedTo.IsZero() {
		q.Set("created_to", f.CreatedTo.UTC().Format(time.RFC3339))
	}
	if f.ExcludeJobs {
		q.Set("exclude_jobs", "true")
	}
	if f.ExcludePipeline {
		q.Set("exclude_pipeline", "true")
	}
	return q
}

// buildsPath is the organisation's builds, or a pipeline's when slug is
// set.
func (c *Client) buildsPath(slug string) string {
	if slug == "" {
		return c.orgPath("builds")
	}
	return c.orgPath("pipelines", slug, "builds")
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// ListBuilds lists the organisation's builds matching filter, newest
// first, every page (see PageFunc for onPage). Narrow it (by state, say):
// the API refuses to list unfiltered builds deeper than some pages.
func (c *Client) ListBuilds(ctx context.Context, filter model.BuildFilter, onPage PageFunc[model.Build]) ([]model.Build, error) {
	return list(ctx, c, ScopeReadBuilds, withQuery(c.buildsPath(""), buildQuery(filter)), onPage)
}

// ListPipelineBuilds lists a pipeline's builds matching filter, newest
// first, every page.
func (c *Client) ListPipelineBuilds(ctx context.Context, slug string, filter model.BuildFilter, onPage PageFunc[model.Build]) ([]model.Build, error) {
	return list(ctx, c, ScopeReadBuilds, withQuery(c.buildsPath(slug), buildQuery(filter)), onPage)
}

// RecentBuilds is the newest n (at most PerPage) builds matching filter,
// of a pipeline, or of the organisation when slug is empty: one request.
func (c *Client) RecentBuilds(ctx context.Context, slug string, filter model.BuildFilter, n int) ([]model.Build, error) {
	q := buildQuery(filter)
	q.Set("per_page", strconv.Itoa(min(max(n, 1), PerPage)))
	return callFor[[]model.Build](ctx, c, request{method: http.MethodGet, path: withQuery(c.buildsPath(slug), q), scope: ScopeReadBuilds})
}

// GetBuild gets a pipeline's build by number, with its jobs and their
// counts by state.
func (c *Client) GetBuild(ctx context.Context, slug string, number int) (model.Build, error) {
	return callFor[model.Build](ctx, c, request{method: http.MethodGet, path: c.orgPath("pipelines", slug, "builds", strconv.Itoa(number)), scope: ScopeReadBuilds})
}

func (c *Client) buildPath(slug string, number int, rest ...string) string {
	return c.orgPath(append([]string{"pipelines", slug, "builds", strconv.Itoa(number)}, rest...)...)
}

// CreateBuild starts a build of a pipeline (in.Commit and in.Branch are
// required; "HEAD" builds the branch's newest commit).
func (c *Client) CreateBuild(ctx context.Context, slug string, in model.BuildCreate) (model.Build, error) {
	return callFor[model.Build](ctx, c, request{method: http.MethodPost, path: c.orgPath("pipelines", slug, "builds"), scope: ScopeWriteBuilds, body: in})
}

// CancelBuild cancels a scheduled, running or failing build; its running
// jobs are stopped.
func (c *Client) CancelBuild(ctx context.Context, slug string, number int) (model.Build, error) {
	return callFor[model.Build](ctx, c, request{method: http.MethodPut, path: c.buildPath(slug, number, "cancel"), scope: ScopeWriteBuilds})
}

// Rebuild starts a new build with the commit, branch, message and
// environment of an earlier one, and returns the new build.
func (c *Client) Rebuild(ctx context.Context, slug string, number int) (model.Build, error) {
	return callFor[model.Build](ctx, c, request{method: http.MethodPut, path: c.buildPath(slug, number, "rebuild"), scope: ScopeWriteBuilds})
}

// RetryFailedJobs queues a build's failed jobs to run again; states (a
// subset of canceled, expired, failed, soft_failed, timed_out) narrows
// which, none meaning every retryable one. The build's RetriedJobsCount
// says how many were queued.
func (c *Client) RetryFailedJobs(ctx context.Context, slug string, number int, states ...string) (model.Build, error) {
	return callFor[model.Build](ctx, c, request{method: http.MethodPut, path: c.buildPath(slug, number, "retry_failed_jobs"), scope: ScopeWriteBuilds,
		body: model.RetryFailedJobs{States: strings.Join(states, ",")}})
}

// QueueLoads is every queue's waiting and running jobs, from the
// organisation's active builds (model.BuildActiveStates: a failing build's
// jobs still wait and run): a request per hundred active builds, however
// many queues there are.
func (c *Client) QueueLoads(ctx context.Context) (map[string]model.QueueLoad, error) {
	builds, err := c.ListBuilds(ctx, model.BuildFilter{States: model.BuildActiveStates, ExcludePipeline: true}, nil)
	if err != nil {
		return nil, err
	}
	return model.LoadByQueue(builds), nil
}
