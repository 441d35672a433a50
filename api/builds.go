package api

import (
	"context"
	"encoding/json"
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
// the API refuses to list unfiltered builds deeper than some pages. A
// build or a job that cannot be read is skipped and reported (a
// SkippedError with the rest, see Partial); a build keeps its other jobs.
func (c *Client) ListBuilds(ctx context.Context, filter model.BuildFilter, onPage PageFunc[model.Build]) ([]model.Build, error) {
	return listBuilds(ctx, c, withQuery(c.buildsPath(""), buildQuery(filter)), onPage)
}

// ListPipelineBuilds lists a pipeline's builds matching filter, newest
// first, every page, as ListBuilds does.
func (c *Client) ListPipelineBuilds(ctx context.Context, slug string, filter model.BuildFilter, onPage PageFunc[model.Build]) ([]model.Build, error) {
	return listBuilds(ctx, c, withQuery(c.buildsPath(slug), buildQuery(filter)), onPage)
}

// listBuilds is list, with the jobs a build skipped reported beside the
// builds it skipped.
func listBuilds(ctx context.Context, c *Client, path string, onPage PageFunc[model.Build]) ([]model.Build, error) {
	var jobs jobSkips
	var all []model.Build
	if onPage != nil {
		inner := onPage
		onPage = func(p Page[model.Build]) error { jobs.count(p.Items); return inner(p) }
	}
	all, err := list(ctx, c, ScopeReadBuilds, path, onPage)
	if onPage == nil {
		jobs.count(all)
	}
	return all, jobs.merge(err)
}

// jobSkips counts the jobs skipped inside builds that were read.
type jobSkips struct {
	n     int
	first error
}

func (s *jobSkips) count(builds []model.Build) {
	for _, b := range builds {
		s.n += b.SkippedJobs
		if s.first == nil {
			s.first = b.SkippedJobsReason
		}
	}
}

// merge adds the skipped jobs to a list's result: a SkippedError of its
// own when nothing else was skipped, else the builds' one, counted with
// them.
func (s *jobSkips) merge(err error) error {
	if s.n == 0 {
		return err
	}
	if err == nil {
		return &SkippedError{Count: s.n, Jobs: s.n, First: s.first}
	}
	if skipped, ok := err.(*SkippedError); ok {
		return &SkippedError{Count: skipped.Count + s.n, Jobs: skipped.Jobs + s.n, First: skipped.First}
	}
	return err
}

// BuildsMore says what a first page of builds left out: whether there
// are more, and about how many builds match in all when the server names
// its last page (Link rel="last"; 0 when it does not).
type BuildsMore struct {
	More  bool
	About int
}

// RecentBuilds is the newest n (at most PerPage) builds matching filter,
// of a pipeline, or of the organisation when slug is empty: one request.
// Builds and jobs that cannot be read are skipped and reported as lists
// do (a SkippedError with the rest).
func (c *Client) RecentBuilds(ctx context.Context, slug string, filter model.BuildFilter, n int) ([]model.Build, error) {
	builds, _, err := c.RecentBuildsMore(ctx, slug, filter, n)
	return builds, err
}

// RecentBuildsMore is RecentBuilds, and whether more builds match than
// the page holds: "the first 100 of about 2,400".
func (c *Client) RecentBuildsMore(ctx context.Context, slug string, filter model.BuildFilter, n int) ([]model.Build, BuildsMore, error) {
	perPage := min(max(n, 1), PerPage)
	q := buildQuery(filter)
	q.Set("per_page", strconv.Itoa(perPage))
	path := withQuery(c.buildsPath(slug), q)
	target, err := url.Parse(c.base.String() + path)
	if err != nil {
		return nil, BuildsMore{}, err
	}
	var raw []json.RawMessage
	header, err := c.do(withReplyLimit(ctx, listLimits.pageBytes()), request{method: http.MethodGet, path: path, scope: ScopeReadBuilds}, target, &raw)
	if err != nil {
		return nil, BuildsMore{}, err
	}
	state := &listState{limits: listLimits, seen: map[string]int{}}
	page, err := decodePage[model.Build](state, raw, 1)
	if err != nil {
		return nil, BuildsMore{}, err
	}
	var more BuildsMore
	links := parseLinks(header.Get("Link"))
	if links["next"] != "" {
		more.More = true
		if last := pageNumber(links["last"]); last > 1 {
			// Every page but the last is full; the last holds one at least.
			more.About = (last-1)*perPage + 1
		}
	}
	var jobs jobSkips
	jobs.count(page.Items)
	return page.Items, more, jobs.merge(state.result(nil))
}

// GetBuild gets a pipeline's build by number, with its jobs and their
// counts by state. A job that cannot be read is skipped and reported: the
// build comes with a SkippedError (see Partial), never blank.
func (c *Client) GetBuild(ctx context.Context, slug string, number int) (model.Build, error) {
	b, err := callFor[model.Build](ctx, c, request{method: http.MethodGet, path: c.orgPath("pipelines", slug, "builds", strconv.Itoa(number)), scope: ScopeReadBuilds})
	if err == nil && b.SkippedJobs > 0 {
		err = &SkippedError{Count: b.SkippedJobs, Jobs: b.SkippedJobs, First: b.SkippedJobsReason}
	}
	return b, err
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
