package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A server (or a proxy) that ignores Range sends the whole log: the tail
// is still cut from it and the log's size is right, and the reply says
// how it came (ErrRangeIgnored) so that a follower stops asking for
// ranges. The client's bound of one reply still holds: a whole log past
// it is refused, not read.
func TestATailReadAnsweredWithTheWholeLogIsNoticed(t *testing.T) {
	log := strings.Repeat("line of the log\n", 1000)
	var sawRange string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawRange = r.Header.Get("Range")
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(log)) // 200, no Content-Range
	}))
	t.Cleanup(srv.Close)
	c := hostileClient(t, srv.URL)
	tail, size, err := c.JobLogTail(context.Background(), "p", 1, "j", 100)
	if sawRange != "bytes=-100" || !errors.Is(err, ErrRangeIgnored) || string(tail) != log[len(log)-100:] || size != int64(len(log)) {
		t.Fatalf("Range %q: %d bytes of a %d-byte log, %v", sawRange, len(tail), size, err)
	}

	replyLimit = 8 << 10
	t.Cleanup(func() { replyLimit = maxResponse })
	if _, _, err := c.JobLogTail(context.Background(), "p", 1, "j", 100); !errors.Is(err, ErrReplyTooLarge) {
		t.Fatalf("a whole log past the reply bound: %v", err)
	}
}

// A job that has not started has no log: its 404 reads as ErrNoLogYet
// (and is still the API's 404), for the whole log and for its tail.
func TestAJobWithoutALogYet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not Found"}`))
	}))
	t.Cleanup(srv.Close)
	c := hostileClient(t, srv.URL)
	_, err := c.JobLog(context.Background(), "p", 1, "j")
	var apiErr *Error
	if !errors.Is(err, ErrNoLogYet) || !errors.Is(err, ErrNotFound) || !errors.As(err, &apiErr) {
		t.Fatalf("whole log: %v", err)
	}
	if _, _, err := c.JobLogTail(context.Background(), "p", 1, "j", 100); !errors.Is(err, ErrNoLogYet) {
		t.Fatalf("tail: %v", err)
	}
}
