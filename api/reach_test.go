package api_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// The client remembers that it could not reach the API, from the first
// attempt without a reply, and forgets it at the next reply of any kind;
// sessions made by WithAccess share it (issue 29, 4: the header kept
// claiming a budget while the API was gone).
func TestTheClientRemembersItCouldNotReachTheAPIUntilItsNextReply(t *testing.T) {
	t.Parallel()
	var gone atomic.Bool
	env := sandboxtest.Start(t, sandbox.Options{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if gone.Load() {
				// The connection ends without a reply, as a host that
				// went away leaves it.
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()
	viewer := env.Client.WithAccess(true, nil)
	if _, err := env.Client.ListClusters(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if u := env.Client.Unreachable(); u != nil {
		t.Fatalf("after a reply: %+v", u)
	}
	gone.Store(true)
	if _, err := env.Client.ListClusters(ctx, nil); err == nil {
		t.Fatal("a dropped connection listed clusters")
	}
	first := env.Client.Unreachable()
	if first == nil || first.Err == nil || first.Since.IsZero() {
		t.Fatalf("after a dropped connection: %+v", first)
	}
	if _, err := viewer.ListClusters(ctx, nil); err == nil {
		t.Fatal("a dropped connection listed clusters")
	}
	if u := viewer.Unreachable(); u == nil || !u.Since.Equal(first.Since) {
		t.Fatalf("another session's view, or since when, after a second failure: %+v (first %+v)", u, first)
	}
	gone.Store(false)
	// A refusal is a reply: the API is there.
	if _, err := env.Client.GetCluster(ctx, "no-such-cluster"); err == nil {
		t.Fatal("a cluster that does not exist was found")
	}
	if u := env.Client.Unreachable(); u != nil {
		t.Fatalf("after a 404: %+v", u)
	}
	if u := viewer.Unreachable(); u != nil {
		t.Fatalf("another session after a 404: %+v", u)
	}
}
