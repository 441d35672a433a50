package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
)

// Changes whose reply lacks the object: the client reads it afresh, so a
// screen never draws a blank row for a change that was made.
func TestChangesAnsweredWithoutTheObjectReadIt(t *testing.T) {
	const queue = `{"id":"q1","key":"linux","dispatch_paused":%v,"dispatch_paused_note":null}`
	const pipeline = `{"id":"p1","slug":"deploy","name":"Deploy","archived_at":%s}`
	var seen []string
	c, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		seen = append(seen, r.Method+" "+r.URL.Path)
		switch {
		case strings.HasSuffix(r.URL.Path, "/resume_dispatch"):
			w.WriteHeader(http.StatusOK) // an empty body
		case strings.HasSuffix(r.URL.Path, "/pause_dispatch"):
			fmt.Fprint(w, `{"dispatch_paused":true}`) // an object without an id
		case strings.HasSuffix(r.URL.Path, "/archive"):
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/unarchive"):
			fmt.Fprint(w, `{}`)
		case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/queues/"):
			fmt.Fprintf(w, queue, false)
		case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/pipelines/"):
			fmt.Fprintf(w, pipeline, `"2025-01-01T00:00:00Z"`)
		default:
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()
	q, err := c.ResumeQueue(ctx, "c1", "q1")
	if err != nil || q.ID != "q1" || q.Key != "linux" {
		t.Fatalf("resume: %+v, %v", q, err)
	}
	q, err = c.PauseQueue(ctx, "c1", "q1", "note")
	if err != nil || q.ID != "q1" {
		t.Fatalf("pause: %+v, %v", q, err)
	}
	p, err := c.ArchivePipeline(ctx, "deploy")
	if err != nil || p.ID != "p1" || !p.Archived() {
		t.Fatalf("archive: %+v, %v", p, err)
	}
	p, err = c.UnarchivePipeline(ctx, "deploy")
	if err != nil || p.Slug != "deploy" {
		t.Fatalf("unarchive: %+v, %v", p, err)
	}
	want := []string{
		"POST /v2/organizations/acme/clusters/c1/queues/q1/resume_dispatch", "GET /v2/organizations/acme/clusters/c1/queues/q1",
		"POST /v2/organizations/acme/clusters/c1/queues/q1/pause_dispatch", "GET /v2/organizations/acme/clusters/c1/queues/q1",
		"POST /v2/organizations/acme/pipelines/deploy/archive", "GET /v2/organizations/acme/pipelines/deploy",
		"POST /v2/organizations/acme/pipelines/deploy/unarchive", "GET /v2/organizations/acme/pipelines/deploy",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

// A reply that carries the object is used as it is: no second request.
func TestChangesAnsweredWithTheObjectAreNotReadAgain(t *testing.T) {
	var requests int
	c, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		requests++
		fmt.Fprint(w, `{"id":"q1","key":"linux","dispatch_paused":false}`)
	})
	if q, err := c.ResumeQueue(context.Background(), "c1", "q1"); err != nil || q.ID != "q1" || requests != 1 {
		t.Fatalf("%+v %v, %d requests", q, err, requests)
	}
}

func TestRateLimitErrorsSayWhichLimit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header map[string]string
		body   string
		limit  string
		says   string
	}{
		{"the body names the user's limit", nil,
			`{"message":"You have exceeded your API rate limit. Please wait 42 seconds before making more requests.","scope":"rest_user","limit":50,"current":55,"reset":42}`,
			api.LimitUser, "your own request limit"},
		{"the body names the organisation's", nil, `{"message":"You have exceeded your API rate limit.","scope":"rest"}`,
			api.LimitOrganization, "the organisation's request limit"},
		{"only the headers tell: the user's", map[string]string{"RateLimit-User-Remaining": "0", "RateLimit-Remaining": "80"},
			`{"message":"You have exceeded your API rate limit."}`, api.LimitUser, "your own"},
		{"only the headers tell: the organisation's", map[string]string{"RateLimit-User-Remaining": "12", "RateLimit-Remaining": "0"},
			`{"message":"You have exceeded your API rate limit."}`, api.LimitOrganization, "organisation's"},
		{"nothing tells", nil, `{"message":"Slow down"}`, "", ""},
	} {
		c, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
			for k, v := range tc.header {
				w.Header().Set(k, v)
			}
			w.Header().Set("RateLimit-Reset", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, tc.body)
		})
		_, err := c.GetCluster(context.Background(), "c1")
		apiErr := wantAPIError(t, err, http.StatusTooManyRequests, "")
		if apiErr.Limit != tc.limit || apiErr.Scope != "" {
			t.Errorf("%s: limit %q scope %q, want %q", tc.name, apiErr.Limit, apiErr.Scope, tc.limit)
		}
		if tc.says != "" && !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v does not say %q", tc.name, err, tc.says)
		}
		if tc.says == "" && strings.Contains(err.Error(), "(") {
			t.Errorf("%s: a hint without grounds: %v", tc.name, err)
		}
	}
}

func TestAuthErrorsHints(t *testing.T) {
	c, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Forbidden"}`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication"}`)
	})
	_, err := c.GetCluster(context.Background(), "c1")
	if e := wantAPIError(t, err, 401, ""); e.Scope != "" || strings.Contains(err.Error(), "scope") || !strings.Contains(e.Hint(), "not accepted") {
		t.Fatalf("401: %v", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Fatal("the token is in the error")
	}
	err = c.DeleteCluster(context.Background(), "c1")
	if e := wantAPIError(t, err, 403, ""); e.Scope != api.ScopeWriteClusters || !strings.Contains(err.Error(), "write_clusters scope") {
		t.Fatalf("403: %v", err)
	}
}
