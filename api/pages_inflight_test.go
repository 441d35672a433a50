package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// pagesInFlight serves a sandbox's replies inside a synctest bubble, each
// after latency on the bubble's clock, and keeps the most requests it
// held at once and the pages asked for. The bubble's clock moves only
// when every goroutine in it waits, so each reply lands only once the
// client has sent all it would send by then: the most held at once is
// exactly what the client lets fly, on any machine.
type pagesInFlight struct {
	sb      *sandbox.Server
	latency time.Duration
	mu      sync.Mutex
	now     int
	most    int
	asked   []string // each request's query, in the order sent
}

func (p *pagesInFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.now++
	p.most = max(p.most, p.now)
	p.asked = append(p.asked, r.URL.RawQuery)
	p.mu.Unlock()
	time.Sleep(p.latency)
	rec := httptest.NewRecorder()
	if r.Body == nil { // as a server's request has
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	p.sb.ServeHTTP(rec, r)
	p.mu.Lock()
	p.now--
	p.mu.Unlock()
	return rec.Result(), nil
}

// askedForMore says how many of the requests so far asked for a page
// past the first.
func (p *pagesInFlight) askedForMore() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, q := range p.asked {
		if v, _ := url.ParseQuery(q); v.Get("page") != "" && v.Get("page") != "1" {
			n++
		}
	}
	return n
}

func newPagesInFlight(t *testing.T, pipelines int, cfg api.Config) (*pagesInFlight, *api.Client) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pipelines, Quiet: true,
		Now: func() time.Time { return sandboxtest.Now }})
	p := &pagesInFlight{sb: sb, latency: 30 * time.Millisecond}
	cfg.Endpoint, cfg.Org, cfg.Token = "http://sandbox.test", sb.Org(), sb.Token()
	cfg.HTTPClient = &http.Client{Transport: p}
	c, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

// --parallel N has N pages of a list in flight at once, past the
// client's default too: the requests in flight were once bounded by the
// budget's slots, which stayed at the default whatever the flag said.
func TestAListHasAsManyPagesInFlightAsItsBound(t *testing.T) {
	for _, bound := range []int{3, api.DefaultParallel, 2 * api.DefaultParallel} {
		synctest.Test(t, func(t *testing.T) {
			p, c := newPagesInFlight(t, 100*(2*bound+1), api.Config{Parallel: bound})
			all, err := c.ListPipelines(context.Background(), nil)
			if err != nil || len(all) != 100*(2*bound+1) {
				t.Fatalf("bound %d: %d pipelines, %v", bound, len(all), err)
			}
			if p.most != bound {
				t.Fatalf("bound %d: at most %d requests were in flight at once", bound, p.most)
			}
		})
	}
}

// A command that prints every page (EveryPage) has the other pages asked
// for while it works on page 1, not after; a list read without it (a
// lookup that may stop at page 1) asks for nothing more until page 1 is
// handed over and the caller goes on.
func TestAWholeListAsksForTheOtherPagesBeforeHandingOverTheFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, c := newPagesInFlight(t, 2000, api.Config{})
		var askedAtFirst int
		_, err := c.ListPipelines(api.EveryPage(context.Background()), func(page api.Page[model.Pipeline]) error {
			if page.Number == 1 {
				synctest.Wait() // every worker has sent what it may
				askedAtFirst = p.askedForMore()
			}
			return nil
		})
		if err != nil || askedAtFirst != min(api.DefaultParallel, 19) {
			t.Fatalf("%d other pages asked for while page 1 was handed over (want %d), %v", askedAtFirst, min(api.DefaultParallel, 19), err)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		p, c := newPagesInFlight(t, 2000, api.Config{})
		stop := &stopAt{}
		_, err := c.ListPipelines(context.Background(), func(page api.Page[model.Pipeline]) error {
			synctest.Wait()
			if n := p.askedForMore(); n != 0 {
				stop.asked = n
			}
			return stop
		})
		if err != stop || stop.asked != 0 || p.askedForMore() != 0 {
			t.Fatalf("a lookup that stopped at page 1 had %d other pages asked for (%d by then), %v", p.askedForMore(), stop.asked, err)
		}
	})
}

type stopAt struct{ asked int }

func (*stopAt) Error() string { return "found on page 1" }
