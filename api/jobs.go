package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kiteconsole/kiteconsole/model"
)

// jobsPage is one page of "List jobs", which pages by cursor: the next
// page's URL is in links.next.
type jobsPage struct {
	Items []model.Job `json:"items"`
	Links struct {
		Next string `json:"next"`
	} `json:"links"`
}

// ListJobs lists a build's jobs matching filter, following the cursor
// from page to page (one request at a time: each page names the next),
// every page (see PageFunc for onPage; Last is always 0).
func (c *Client) ListJobs(ctx context.Context, slug string, number int, filter model.JobFilter, onPage PageFunc[model.Job]) ([]model.Job, error) {
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(PerPage))
	for _, s := range filter.States {
		q.Add("state[]", s)
	}
	if filter.StepKey != "" {
		q.Set("step_key", filter.StepKey)
	}
	if filter.GroupKey != "" {
		q.Set("group_key", filter.GroupKey)
	}
	path := c.orgPath("pipelines", slug, "builds", strconv.Itoa(number), "jobs")
	target, err := url.Parse(c.base.String() + path + "?" + q.Encode())
	if err != nil {
		return nil, err
	}
	req := request{method: http.MethodGet, path: path, scope: ScopeReadBuilds}
	var all []model.Job
	for n := 1; ; n++ {
		var page jobsPage
		if _, err := c.do(ctx, req, target, &page); err != nil {
			return all, err
		}
		if onPage == nil {
			all = append(all, page.Items...)
		} else if err := onPage(Page[model.Job]{Items: page.Items, Number: n}); err != nil {
			return all, err
		}
		if page.Links.Next == "" || len(page.Items) == 0 {
			return all, nil
		}
		if target, err = c.sameOrigin(page.Links.Next); err != nil {
			return all, err
		}
	}
}

// GetJob gets one job of a build.
func (c *Client) GetJob(ctx context.Context, slug string, number int, id string) (model.Job, error) {
	var out model.Job
	err := c.call(ctx, request{method: http.MethodGet, path: c.orgPath("pipelines", slug, "builds", strconv.Itoa(number), "jobs", id), scope: ScopeReadBuilds}, &out)
	return out, err
}
