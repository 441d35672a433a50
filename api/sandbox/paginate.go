package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Pagination as the REST API does it: page (from 1) and per_page (default
// 30, at most 100), with a Link header naming first, prev, next and last.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// pageOf is the reply of a list endpoint: the requested page of items,
// each shown through view, with the Link header written.
func pageOf[T, V any](w http.ResponseWriter, r *http.Request, items []T, view func(T) V) reply {
	lo, hi := paginate(w, r, len(items))
	out := make([]V, 0, hi-lo)
	for _, item := range items[lo:hi] {
		out = append(out, view(item))
	}
	return ok(out)
}

// paginate writes the Link header for a list of n items and returns the
// half-open range [lo, hi) of the requested page. A page past the end is
// empty.
func paginate(w http.ResponseWriter, r *http.Request, n int) (lo, hi int) {
	q := r.URL.Query()
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	last := max(1, (n+perPage-1)/perPage)

	link := func(p int, rel string) string {
		u := url.URL{Path: r.URL.Path}
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(p))
		v.Set("per_page", strconv.Itoa(perPage))
		u.RawQuery = v.Encode()
		return fmt.Sprintf(`<%s%s>; rel="%s"`, baseURL(r), u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo = min(n, (page-1)*perPage)
	hi = min(n, lo+perPage)
	return lo, hi
}
