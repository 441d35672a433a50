package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// roundTripFunc serves a client's requests in the test's own goroutines,
// with no socket between: inside a synctest bubble every wait is one the
// bubble can see.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// 10,000 pipelines are 100 pages: two of the user's windows of 50, one
// wait. Replies of parallel pages land out of order, and a later reply's
// count already holds the earlier requests still in flight. Here seven
// of the second window's replies (the 42nd to the 48th) are held until
// the rest has settled, so the 49th lands first: the budget looks spent
// while one request is left, whichever page it is for. The last page waits for the held replies
// and goes in the same window; it used to sleep until the window reset,
// and the list took three windows (121 s in the benchmark, 74–83 s for
// serial go-buildkite). On the bubble's clock, so the windows are the
// sandbox's own minutes without a minute's wait.
func TestAListOfTwoWindowsTakesTwoWhenRepliesLandOutOfOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sb := sandbox.New(sandbox.Options{Size: sandbox.SizeLarge, Quiet: true, Now: func() time.Time { return sandboxtest.Now },
			RateLimit: sandbox.DefaultRateLimit, UserRateLimit: sandbox.DefaultUserRateLimit})
		start := time.Now()
		held := make(chan struct{}, 7)
		release := make(chan struct{})
		serve := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			rec := httptest.NewRecorder()
			if r.Body == nil { // as a server's request has
				r = r.Clone(r.Context())
				r.Body = http.NoBody
			}
			sb.ServeHTTP(rec, r)
			switch rec.Header().Get("RateLimit-User-Remaining") {
			case "2", "3", "4", "5", "6", "7", "8":
				if time.Since(start) > time.Minute { // the second window
					held <- struct{}{}
					<-release
				}
			}
			return rec.Result(), nil
		})
		c, err := api.New(api.Config{Endpoint: "http://sandbox.test", Org: sb.Org(), Token: sb.Token(),
			HTTPClient: &http.Client{Transport: serve}, Budget: api.Policy{NoReserve: true}})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for range cap(held) {
				<-held
			}
			// The requests that slept through the first window wake
			// within half a second of its reset, each with its own
			// margin: the bubble's clock is moved past them all (no
			// real time passes). Then every other request has landed,
			// and the last page has either gone, or waits: for the held
			// replies, or for the window to reset.
			time.Sleep(time.Second)
			synctest.Wait()
			close(release)
		}()
		all, err := c.ListPipelines(context.Background(), nil)
		took := time.Since(start)
		if err != nil || len(all) != 10000 {
			t.Fatalf("%d pipelines: %v", len(all), err)
		}
		refused := 0
		for _, r := range sb.Requests() {
			if r.Status == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused != 0 || took > 90*time.Second {
			t.Fatalf("100 pages at 50 a minute took %v on the sandbox's clock with %d refused: want one window's wait (about 61 s) and none refused", took, refused)
		}
	})
}
