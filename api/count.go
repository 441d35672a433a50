package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

// ErrUncountable is a list the API did not count: its first page names a
// next page but no last one, so the only way to count it is to list it.
var ErrUncountable = errors.New("the API does not name the list's last page")

// maxCount bounds a count read from a Link header: a server that names
// page 100,000,000 as the last is not believed.
const maxCount = 10_000_000

// count counts a list in one request: it asks for one item per page, so
// the number of the page Link rel="last" names is the number of items.
// The items themselves are not read beyond the first.
func (c *Client) count(ctx context.Context, scope, path string) (int, error) {
	target, err := url.Parse(c.base.String() + path + "?per_page=1")
	if err != nil {
		return 0, err
	}
	var first []json.RawMessage
	header, err := c.do(ctx, request{method: http.MethodGet, path: path, scope: scope}, target, &first)
	if err != nil {
		return 0, err
	}
	links := parseLinks(header.Get("Link"))
	if last := pageNumber(links["last"]); last > 0 {
		if last > maxCount {
			return 0, ErrUncountable
		}
		return last, nil
	}
	if links["next"] != "" {
		return 0, ErrUncountable
	}
	// One page holds it all: none or one item.
	return len(first), nil
}

// CountPipelines counts the organisation's pipelines (archived ones
// included) in one request.
func (c *Client) CountPipelines(ctx context.Context) (int, error) {
	return c.count(ctx, ScopeReadPipelines, c.orgPath("pipelines"))
}

// CountClusters counts the organisation's clusters in one request.
func (c *Client) CountClusters(ctx context.Context) (int, error) {
	return c.count(ctx, ScopeReadClusters, c.orgPath("clusters"))
}

// CountQueues counts a cluster's queues in one request.
func (c *Client) CountQueues(ctx context.Context, clusterID string) (int, error) {
	return c.count(ctx, ScopeReadClusters, c.orgPath("clusters", clusterID, "queues"))
}

// firstPage lists one page of up to PerPage items and says whether there
// are more: for a caller that wants a list only when it is short.
func firstPage[T any](ctx context.Context, c *Client, scope, path string) ([]T, bool, error) {
	target, err := url.Parse(c.base.String() + path + "?per_page=" + strconv.Itoa(PerPage))
	if err != nil {
		return nil, false, err
	}
	var items []T
	header, err := c.do(ctx, request{method: http.MethodGet, path: path, scope: scope}, target, &items)
	if err != nil {
		return nil, false, err
	}
	return items, parseLinks(header.Get("Link"))["next"] != "", nil
}

// FirstPipelines is the first page of pipelines (up to PerPage) and
// whether more follow: one request, whatever the organisation's size.
func (c *Client) FirstPipelines(ctx context.Context) ([]model.Pipeline, bool, error) {
	return firstPage[model.Pipeline](ctx, c, ScopeReadPipelines, c.orgPath("pipelines"))
}

// maxNamedPages bounds the pages a name filter follows: a filter that
// matches more than this is too broad to be worth listing whole.
const maxNamedPages = 20

// ListPipelinesNamed lists the pipelines whose name contains name
// (partial, case-insensitive), asking the API to filter (?name=). The
// rows are filtered here too, so that an endpoint that ignores the
// filter still gives the right answer (at the cost of reading more). It
// follows at most maxNamedPages pages and says when it stopped early.
func (c *Client) ListPipelinesNamed(ctx context.Context, name string) ([]model.Pipeline, bool, error) {
	path := c.orgPath("pipelines")
	q := url.Values{"per_page": {strconv.Itoa(PerPage)}, "name": {name}}
	target, err := url.Parse(c.base.String() + path + "?" + q.Encode())
	if err != nil {
		return nil, false, err
	}
	req := request{method: http.MethodGet, path: path, scope: ScopeReadPipelines}
	want := strings.ToLower(name)
	var out []model.Pipeline
	seen := map[string]bool{}
	for page := 1; ; page++ {
		var items []model.Pipeline
		header, err := c.do(ctx, req, target, &items)
		if err != nil {
			return out, false, err
		}
		for _, p := range items {
			if strings.Contains(strings.ToLower(p.Name), want) {
				out = append(out, p)
			}
		}
		next := parseLinks(header.Get("Link"))["next"]
		if next == "" {
			return out, false, nil
		}
		if page >= maxNamedPages || seen[next] {
			return out, true, nil
		}
		seen[next] = true
		if target, err = c.sameOrigin(next); err != nil {
			return out, false, err
		}
	}
}
