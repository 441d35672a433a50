package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// hostileClient is a client of an endpoint the test writes.
func hostileClient(t *testing.T, endpoint string) *Client {
	t.Helper()
	c, err := New(Config{Endpoint: endpoint, Org: "acme", Token: "secret-token-value", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A redirect, to the same host on another port or to another host, is
// not followed: the token reaches nobody else, and the other server's
// reply is never taken as the organisation's data.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the token reached %s", r.Host)
		}
		_, _ = io.WriteString(w, `[{"id":"forged","name":"Forged"}]`)
	}))
	defer other.Close()
	otherPort := other.URL[strings.LastIndex(other.URL, ":"):]
	for _, tc := range []struct {
		name   string
		status int
		to     string
	}{
		{"307 to another port", http.StatusTemporaryRedirect, other.URL},
		{"301 to another port", http.StatusMovedPermanently, other.URL},
		{"302 to another host", http.StatusFound, "http://localhost" + otherPort},
		{"308 to the same origin", http.StatusPermanentRedirect, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			var self *httptest.Server
			self = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) > 1 {
					t.Errorf("the redirect was followed to %s", r.URL)
				}
				to := tc.to
				if to == "" {
					to = self.URL + "/elsewhere"
				}
				http.Redirect(w, r, to+r.URL.Path, tc.status)
			}))
			defer self.Close()
			before := elsewhere.Load()
			clusters, err := hostileClient(t, self.URL).ListClusters(context.Background(), nil)
			if !errors.Is(err, ErrRedirect) {
				t.Fatalf("err = %v, clusters = %v; want ErrRedirect", err, clusters)
			}
			if strings.Contains(err.Error(), "secret-token-value") {
				t.Fatal("the token is in the error")
			}
			if elsewhere.Load() != before {
				t.Fatal("the other server was asked")
			}
		})
	}
}

// A Content-Length of 60 MB with one byte sent allocates what was sent,
// not what was announced.
func TestALyingContentLengthIsNotAllocated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 62914560\r\n\r\n[")
		_ = rw.Flush()
	}))
	defer srv.Close()
	c := hostileClient(t, srv.URL)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const requests = 4
	for range requests {
		if _, err := c.ListClusters(context.Background(), nil); err == nil {
			t.Fatal("a cut reply was taken whole")
		}
	}
	runtime.ReadMemStats(&after)
	// Each request may make maxPrealloc ready; the rest is the client's
	// own (more under the race detector). Trusting the header is 60 MB
	// a request.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Fatalf("%d requests announcing 60 MB and sending 1 byte allocated %d MB", requests, grew>>20)
	}
}

// readReply grows with what arrives, and refuses a reply past the bound
// rather than cut it.
func TestReadReplyIsBounded(t *testing.T) {
	if replyLimit != 64<<20 || ErrReplyTooLarge.Error() != "the API sent a reply larger than 64 MB" {
		t.Fatalf("the bound is %d bytes (%v), want 64 MB", replyLimit, ErrReplyTooLarge)
	}
	// The same reads at a bound of 4 MB: 64 MB of them is a quarter of a
	// minute under the race detector.
	replyLimit = 4 << 20
	t.Cleanup(func() { replyLimit = maxResponse })

	body := strings.Repeat("x", 3<<20)
	resp := &http.Response{ContentLength: 1, Body: io.NopCloser(strings.NewReader(body))}
	got, err := readReply(resp)
	if err != nil || string(got) != body {
		t.Fatalf("an honest 3 MB reply under a small Content-Length: %d bytes, %v", len(got), err)
	}
	endless := &http.Response{ContentLength: -1, Body: io.NopCloser(zeros{})}
	if _, err := readReply(endless); !errors.Is(err, ErrReplyTooLarge) {
		t.Fatalf("an endless reply: %v", err)
	}
	// Up to the bound a reply is read whole; one byte more is refused.
	replyLimit = 64 << 10
	atBound := &http.Response{ContentLength: -1, Body: io.NopCloser(io.LimitReader(zeros{}, int64(replyLimit)))}
	if got, err := readReply(atBound); err != nil || len(got) != replyLimit {
		t.Fatalf("a reply of the bound: %d bytes, %v", len(got), err)
	}
	over := &http.Response{ContentLength: -1, Body: io.NopCloser(io.LimitReader(zeros{}, int64(replyLimit)+1))}
	if _, err := readReply(over); !errors.Is(err, ErrReplyTooLarge) {
		t.Fatalf("a reply one byte over the bound: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
