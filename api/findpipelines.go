package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kiteconsole/kiteconsole/model"
)

// PipelineFilter is what the pipelines list can filter on: text the name,
// or the repository URL, contains (partial and case-insensitive, as the
// API matches).
type PipelineFilter struct {
	Name       string
	Repository string
}

// FindPipelines asks the API for the first page (at most PerPage) of the
// pipelines the filter matches: one request, a person's look, however
// large the organisation. more reports whether further pages match.
func (c *Client) FindPipelines(ctx context.Context, f PipelineFilter) (found []model.Pipeline, more bool, err error) {
	path := c.orgPath("pipelines")
	q := url.Values{"per_page": {strconv.Itoa(PerPage)}}
	if f.Name != "" {
		q.Set("name", f.Name)
	}
	if f.Repository != "" {
		q.Set("repository", f.Repository)
	}
	target, err := url.Parse(c.base.String() + path + "?" + q.Encode())
	if err != nil {
		return nil, false, err
	}
	header, err := c.do(ctx, request{method: http.MethodGet, path: path, scope: ScopeReadPipelines}, target, &found)
	if err != nil {
		return nil, false, err
	}
	return found, parseLinks(header.Get("Link"))["next"] != "", nil
}
