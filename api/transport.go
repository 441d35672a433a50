package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// What the client takes from the endpoint's transport. The endpoint is
// trusted with the organisation's data, not with the process: a reply
// cannot make the client allocate what it has not sent, and cannot send
// the token anywhere.

// ErrRedirect is a reply that redirects. Buildkite's REST API answers
// what the console asks without redirecting, and following one would send
// the request, token and all, where the endpoint says, and take that
// server's reply as the organisation's data: no redirect is followed.
var ErrRedirect = errors.New("the API answered with a redirect, which kiteconsole does not follow (is the endpoint right?)")

// ErrReplyTooLarge is a reply larger than maxResponse.
var ErrReplyTooLarge = fmt.Errorf("the API sent a reply larger than %d MB", maxResponse>>20)

// maxPrealloc bounds the buffer made ready from a reply's Content-Length:
// a page of pipelines is a few hundred KB, and a Content-Length is only
// the server's word (60 MB announced, 1 byte sent, was 60 MB allocated).
// Past it the buffer grows with the bytes that really arrive.
const maxPrealloc = 1 << 20

// refuseRedirects is the http.Client's CheckRedirect: the request it would
// send next is never sent.
func refuseRedirects(next *http.Request, _ []*http.Request) error {
	return fmt.Errorf("%w: to %s", ErrRedirect, next.URL.Host)
}

// withoutRedirects is hc, or a copy of it, that refuses redirects. The
// caller's client is not changed.
func withoutRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = refuseRedirects
	return &cp
}

// replyLimitKey carries, in a request's context, a bound of its reply
// below replyLimit: a list's pages have their own (ListLimits.PageBytes).
type replyLimitKey struct{}

// withReplyLimit bounds the replies of the requests made with ctx to n
// bytes (when below replyLimit).
func withReplyLimit(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, replyLimitKey{}, n)
}

// replyLimit is the bound readReply keeps to: maxResponse. A test of the
// bound lowers it, since reading 64 MB costs a quarter of a minute under
// the race detector.
var replyLimit = maxResponse

// readReply reads a reply's body, up to replyLimit or the lower bound its
// request's context carries (a list's page: past it, ErrPagination).
func readReply(resp *http.Response) ([]byte, error) {
	limit := replyLimit
	if resp.Request != nil {
		if n, ok := resp.Request.Context().Value(replyLimitKey{}).(int); ok && n > 0 && n < limit {
			limit = n
		}
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(min(resp.ContentLength, maxPrealloc, int64(limit))) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, int64(limit)+1)); err != nil {
		return nil, err
	}
	if buf.Len() > limit {
		if limit < replyLimit {
			return nil, fmt.Errorf("%w: a page larger than %s", ErrPagination, sizeText(limit))
		}
		return nil, ErrReplyTooLarge
	}
	return buf.Bytes(), nil
}
