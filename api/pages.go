package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
// stops the listing with that error.
type PageFunc[T any] func(Page[T]) error

// list fetches every page of a list endpoint, following Link rel="next"
// to the end, hands each page to onPage (when not nil) and returns all
// items.
func list[T any](ctx context.Context, c *Client, scope, path string, onPage PageFunc[T]) ([]T, error) {
	target, err := url.Parse(c.base.String() + path + "?per_page=" + strconv.Itoa(PerPage))
	if err != nil {
		return nil, err
	}
	var all []T
	for number := 1; target != nil; number++ {
		var items []T
		header, err := c.do(ctx, request{method: http.MethodGet, path: path, scope: scope}, target, &items)
		if err != nil {
			return all, err
		}
		links := parseLinks(header.Get("Link"))
		all = append(all, items...)
		if onPage != nil {
			if err := onPage(Page[T]{Items: items, Number: number, Last: pageNumber(links["last"])}); err != nil {
				return all, err
			}
		}
		target = nil
		if next := links["next"]; next != "" {
			if target, err = c.sameOrigin(next); err != nil {
				return all, err
			}
		}
	}
	return all, nil
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
