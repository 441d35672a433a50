package api

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// fetcher is what the clients of one organisation share besides the
// budget: GETs of the same URL in flight at once are sent once
// (single-flight), and, when a cache lifetime is set, a GET is answered
// from a reply younger than it unless it must be fresh. Ten SSH sessions idle
// on the same screen so cost about what one does.
type fetcher struct {
	flight singleflight.Group

	hits atomic.Int64
	// inFlight counts the callers inside flight.Do: the one sending and
	// those that joined it. A test waits on it rather than on time.
	inFlight atomic.Int64

	mu    sync.Mutex
	ttl   time.Duration
	cache map[string]cached
	bytes int
}

type cached struct {
	header http.Header
	body   []byte
	at     time.Time
}

// A reply is cached only if small, and the cache stays bounded: a page of
// a 10,000-pipeline list is a person's to fetch, not a timer's.
const (
	maxCachedBody  = 256 << 10
	maxCachedBytes = 8 << 20
)

// fetched is the outcome of one shared GET.
type fetched struct {
	header http.Header
	body   []byte
}

func newFetcher(ttl time.Duration) *fetcher {
	return &fetcher{ttl: ttl, cache: map[string]cached{}}
}

// fresh returns a cached reply younger than the lifetime.
func (f *fetcher) fresh(key string, now time.Time) (cached, bool) {
	if f.ttl <= 0 {
		return cached{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cache[key]
	if !ok || now.Sub(c.at) >= f.ttl {
		return cached{}, false
	}
	f.hits.Add(1)
	return c, true
}

// store keeps a successful reply.
func (f *fetcher) store(key string, r fetched, now time.Time) {
	if f.ttl <= 0 || len(r.body) > maxCachedBody {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.cache[key]; ok {
		f.bytes -= len(old.body)
	}
	for f.bytes+len(r.body) > maxCachedBytes && len(f.cache) > 0 {
		f.evictOldest()
	}
	f.cache[key] = cached{header: r.header, body: r.body, at: now}
	f.bytes += len(r.body)
}

func (f *fetcher) evictOldest() {
	var oldest string
	var at time.Time
	for k, c := range f.cache {
		if oldest == "" || c.at.Before(at) {
			oldest, at = k, c.at
		}
	}
	f.bytes -= len(f.cache[oldest].body)
	delete(f.cache, oldest)
}

// forget drops every cached reply: something was changed, and any of them
// may show it.
func (f *fetcher) forget() {
	f.mu.Lock()
	clear(f.cache)
	f.bytes = 0
	f.mu.Unlock()
}

// CacheHits is how many GETs the shared cache answered without a request.
func (c *Client) CacheHits() int64 { return c.fetch.hits.Load() }
