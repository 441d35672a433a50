package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

// jobsPage is one page of "List jobs", which pages by cursor: the next
// page's URL is in links.next.
type jobsPage struct {
	Items []json.RawMessage `json:"items"`
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
	// Jobs are read one by one, as lists' items are: one that cannot be
	// read is skipped and reported (SkippedError), never the page. The
	// cursor is followed within the lists' bounds, never back to a page
	// already read.
	state := &listState{limits: listLimits, seen: map[string]int{}}
	ctx = withReplyLimit(ctx, state.limits.pageBytes())
	for n := 1; ; n++ {
		if err := state.visit(target, n); err != nil {
			return all, err
		}
		var raw jobsPage
		if _, err := c.do(ctx, req, target, &raw); err != nil {
			return all, err
		}
		page, err := decodePage[model.Job](state, raw.Items, n)
		if err != nil {
			return all, err
		}
		if onPage == nil {
			all = append(all, page.Items...)
		} else if err := onPage(page); err != nil {
			return all, err
		}
		if raw.Links.Next == "" || len(raw.Items) == 0 {
			return all, state.result(nil)
		}
		if target, err = c.sameOrigin(raw.Links.Next); err != nil {
			return all, err
		}
	}
}

// GetJob gets one job of a build.
func (c *Client) GetJob(ctx context.Context, slug string, number int, id string) (model.Job, error) {
	return callFor[model.Job](ctx, c, request{method: http.MethodGet, path: c.orgPath("pipelines", slug, "builds", strconv.Itoa(number), "jobs", id), scope: ScopeReadBuilds})
}

// RetryJob runs a failed, timed-out or canceled job again and returns the
// new job; each job can be retried once (retry the new one after that).
func (c *Client) RetryJob(ctx context.Context, slug string, number int, id string) (model.Job, error) {
	return callFor[model.Job](ctx, c, request{method: http.MethodPut, path: c.buildPath(slug, number, "jobs", id, "retry"), scope: ScopeWriteBuilds})
}

// UnblockJob unblocks a block step with the values of its fields (see
// model.Job.Fields), which become the build's meta-data.
func (c *Client) UnblockJob(ctx context.Context, slug string, number int, id string, fields map[string]string) (model.Job, error) {
	return callFor[model.Job](ctx, c, request{method: http.MethodPut, path: c.buildPath(slug, number, "jobs", id, "unblock"), scope: ScopeWriteBuilds,
		body: model.JobUnblock{Fields: fields}})
}

// ErrNoLogYet is a job whose log the API does not have yet: a job that
// has not started answers its log with a 404 (as the official Go client's
// JobLogExists reads it). The error wraps the API's 404 as well, so
// errors.As still finds the *Error.
var ErrNoLogYet = errors.New("the job has no log yet")

// ErrRangeIgnored is a tail read answered with the whole log: the server
// (or a proxy before it) ignored Range. JobLogTail returns it with the
// tail cut from the whole log, which is still right; a follower should
// stop asking for ranges, since each read costs the whole log, and say
// so. The reply stays within the client's bound of one reply
// (ErrReplyTooLarge past it).
var ErrRangeIgnored = errors.New("the server ignored Range and sent the whole log")

// noLogYet reads a log's 404 as ErrNoLogYet.
func noLogYet(err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNoLogYet, err)
	}
	return err
}

// JobLog is a job's whole log as the agent wrote it: text with ANSI
// colours and "_bk;t=" timestamps in it (see JobLogTail for its end only).
// A job with no log yet is ErrNoLogYet.
func (c *Client) JobLog(ctx context.Context, slug string, number int, id string) ([]byte, error) {
	var out []byte
	err := c.call(ctx, request{method: http.MethodGet, path: c.buildPath(slug, number, "jobs", id, "log"), scope: ScopeReadBuildLogs,
		header: http.Header{"Accept": {"text/plain"}}}, &out)
	return out, noLogYet(err)
}

// JobLogTail is the last n bytes of a job's log (fewer when the log is
// shorter) and the log's whole size, in one ranged request: following a
// long job's log costs its new lines, not the whole log each time. An
// empty log is an empty tail, not an error. The tail may begin inside a
// line (or a UTF-8 sequence); callers drop the first partial line. A
// reply without Content-Range that is the whole log comes with
// ErrRangeIgnored beside a tail that is still right; a job with no log yet
// is ErrNoLogYet.
func (c *Client) JobLogTail(ctx context.Context, slug string, number int, id string, n int) (tail []byte, size int64, err error) {
	if n <= 0 {
		return nil, 0, fmt.Errorf("a log tail needs a positive length, not %d", n)
	}
	path := c.buildPath(slug, number, "jobs", id, "log")
	target, err := url.Parse(c.base.String() + path)
	if err != nil {
		return nil, 0, err
	}
	req := request{method: http.MethodGet, path: path, scope: ScopeReadBuildLogs,
		header: http.Header{"Accept": {"text/plain"}, "Range": {"bytes=-" + strconv.Itoa(n)}}}
	header, err := c.do(ctx, req, target, &tail)
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusRequestedRangeNotSatisfiable {
		return []byte{}, 0, nil // the documented answer for an empty log
	}
	if err != nil {
		return nil, 0, noLogYet(err)
	}
	size = int64(len(tail))
	// Content-Range: bytes 900-999/1000
	cr := header.Get("Content-Range")
	if i := strings.LastIndexByte(cr, '/'); i >= 0 {
		if total, perr := strconv.ParseInt(cr[i+1:], 10, 64); perr == nil {
			return tail, total, nil
		}
	}
	if len(tail) > n {
		// The whole log came: its tail is still the answer, and how it
		// came is said (ErrRangeIgnored).
		return tail[len(tail)-n:], size, ErrRangeIgnored
	}
	if cr == "" && len(tail) == n {
		// As long as was asked, with no Content-Range: the server may
		// have ignored Range, and the size is no more than a guess.
		return tail, size, ErrRangeIgnored
	}
	return tail, size, nil
}
