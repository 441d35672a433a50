package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kiteconsole/kiteconsole/model"
)

// PipelinesPageN fetches page n (from 1) of the organisation's pipelines,
// PerPage to a page: one request, for a list that loads as a person
// scrolls rather than all at once. last is the last page's number as the
// Link header names it (0 when it names none: page n is the last when it
// has no rel="next" either). Items that cannot be read are skipped, as
// in a whole list, and reported with api.Partial's error beside the rest.
func (c *Client) PipelinesPageN(ctx context.Context, n int) (page Page[model.Pipeline], more bool, err error) {
	path := c.orgPath("pipelines")
	q := url.Values{"per_page": {strconv.Itoa(PerPage)}}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	target, err := url.Parse(c.base.String() + path + "?" + q.Encode())
	if err != nil {
		return page, false, err
	}
	var raw []json.RawMessage
	header, err := c.do(pageContext(ctx), request{method: http.MethodGet, path: path, scope: ScopeReadPipelines}, target, &raw)
	if err != nil {
		return page, false, err
	}
	state := &listState{limits: listLimits, seen: map[string]int{}}
	page, err = decodePage[model.Pipeline](state, raw, n)
	if err != nil {
		return page, false, err
	}
	links := parseLinks(header.Get("Link"))
	page.Last = pageNumber(links["last"])
	return page, links["next"] != "", state.result(nil)
}
