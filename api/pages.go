package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// PerPage is how many items the client asks for per page: the API's most.
const PerPage = 100

// Page is one page of a list, delivered as soon as it arrives.
type Page[T any] struct {
	Items []T
	// Number is the page's number, from 1.
	Number int
	// Last is the number of the last page when the server names it in
	// Link rel="last", else 0.
	Last int
}

// PageFunc receives each page of a list in order. Returning an error
// stops the listing with that error. A list given a PageFunc hands its
// pages over and returns no slice of its own.
type PageFunc[T any] func(Page[T]) error

// list fetches every page of a list endpoint. Without onPage it returns
// all items. With onPage it hands each page over, in order, as soon as it
// and the pages before it have arrived, and keeps nothing itself (the
// returned slice is nil): a caller that streams a long list into its own
// store does not hold it twice. After page 1, when the server names
// the last page, the rest are fetched in parallel, at most c.parallel at
// a time; otherwise it follows Link rel="next" one page after another.
func list[T any](ctx context.Context, c *Client, scope, path string, onPage PageFunc[T]) ([]T, error) {
	first, err := url.Parse(c.base.String() + path + "?per_page=" + strconv.Itoa(PerPage))
	if err != nil {
		return nil, err
	}
	req := request{method: http.MethodGet, path: path, scope: scope}
	var items []T
	header, err := c.do(ctx, req, first, &items)
	if err != nil {
		return nil, err
	}
	links := parseLinks(header.Get("Link"))
	last := pageNumber(links["last"])
	// The first page is what was asked for; the rest of a long list is a
	// bulk read, which leaves the reserve to changes and looks.
	ctx = AsBulk(ctx)
	keep := onPage == nil
	var all []T
	if keep {
		all = append(all, items...)
	}
	if onPage != nil {
		if err := onPage(Page[T]{Items: items, Number: 1, Last: last}); err != nil {
			return all, err
		}
	}
	if last > 1 && c.parallel > 1 {
		lastURL, err := c.sameOrigin(links["last"])
		if err != nil {
			return all, err
		}
		return fetchRest(ctx, c, req, lastURL, last, all, onPage)
	}
	// No last page named: follow next, one at a time.
	for number := 2; links["next"] != ""; number++ {
		target, err := c.sameOrigin(links["next"])
		if err != nil {
			return all, err
		}
		items = nil
		if header, err = c.do(ctx, req, target, &items); err != nil {
			return all, err
		}
		links = parseLinks(header.Get("Link"))
		if keep {
			all = append(all, items...)
		}
		if onPage != nil {
			if err := onPage(Page[T]{Items: items, Number: number, Last: pageNumber(links["last"])}); err != nil {
				return all, err
			}
		}
	}
	return all, nil
}

// fetchRest fetches pages 2..last with at most c.parallel requests in
// flight, and delivers them in order.
func fetchRest[T any](ctx context.Context, c *Client, req request, lastURL *url.URL, last int, all []T, onPage PageFunc[T]) ([]T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		number int
		items  []T
		err    error
	}
	results := make(chan result)
	pages := make(chan int)
	workers := min(c.parallel, last-1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range pages {
				target := pageURL(lastURL, n)
				var items []T
				_, err := c.do(ctx, req, target, &items)
				select {
				case results <- result{number: n, items: items, err: err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(pages)
		for n := 2; n <= last; n++ {
			select {
			case pages <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	// Deliver in order: hold pages that arrive early until their turn.
	early := map[int][]T{}
	next := 2
	for r := range results {
		if r.err != nil {
			return all, r.err // cancel() stops the others
		}
		early[r.number] = r.items
		for items, ok := early[next]; ok; items, ok = early[next] {
			delete(early, next)
			if onPage == nil {
				all = append(all, items...)
			}
			if onPage != nil {
				if err := onPage(Page[T]{Items: items, Number: next, Last: last}); err != nil {
					return all, err
				}
			}
			next++
		}
	}
	if next <= last {
		if err := ctx.Err(); err != nil {
			return all, err
		}
		return all, fmt.Errorf("listing stopped at page %d of %d", next-1, last)
	}
	return all, nil
}

// pageURL is the URL of page n, made from the last page's URL.
func pageURL(last *url.URL, n int) *url.URL {
	u := *last
	q := u.Query()
	q.Set("page", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return &u
}

// sameOrigin resolves a Link URL and refuses one on another host: the
// client's token is only ever sent to the configured endpoint.
func (c *Client) sameOrigin(link string) (*url.URL, error) {
	u, err := c.base.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("the API sent a Link it could not read: %w", err)
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("the API's Link points at another host (%s); not following it", u.Host)
	}
	return u, nil
}

// parseLinks reads an RFC 8288 Link header into rel → URL.
func parseLinks(header string) map[string]string {
	links := map[string]string{}
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		start, end := strings.IndexByte(part, '<'), strings.IndexByte(part, '>')
		if start != 0 || end < 0 {
			continue
		}
		target := part[1:end]
		for _, param := range strings.Split(part[end+1:], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
				links[strings.ToLower(rel)] = target
			}
		}
	}
	return links
}

// pageNumber reads the page parameter of a Link URL, or 0.
func pageNumber(link string) int {
	if link == "" {
		return 0
	}
	u, err := url.Parse(link)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(u.Query().Get("page"))
	return n
}
