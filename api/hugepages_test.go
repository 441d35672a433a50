package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// Finding 10 (issue 24): a list of 60 MB pages peaked at 1.29 GB before
// the 256 MB bound of a list's items stopped it. One page's reply is
// bounded (PageBytes), and so are the pages a list holds at once
// (HeldBytes). The tests lower the bounds to keep their own memory small.

// hugePage is a JSON array of 100 clusters, of about size bytes in all:
// each has a long description.
func hugePage(size int) string {
	desc := strings.Repeat("x", max(0, size/100-300))
	items := make([]string, 100)
	for i := range items {
		items[i] = strings.Replace(clusterJSON(i), `"description":null`, `"description":"`+desc+`"`, 1)
	}
	return "[" + strings.Join(items, ",") + "]"
}

func TestAPageLargerThanPageBytesIsNotReadOn(t *testing.T) {
	api.SetListLimits(t, api.ListLimits{Pages: 1000, Items: 100_000, Bytes: 256 << 20, PageBytes: 64 << 10, HeldBytes: 256 << 10})
	body := hugePage(1 << 20)
	for _, parallel := range []int{1, 8} {
		c, requests := hostile(t, parallel, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Link", `</v2/organizations/acme/clusters?page=`+strconv.Itoa(n+1)+`&per_page=100>; rel="next"`)
			fmt.Fprint(w, body)
		})
		_, err := c.ListClusters(context.Background(), nil)
		if !errors.Is(err, api.ErrPagination) || !strings.Contains(err.Error(), "a page larger than 64 KB") {
			t.Fatalf("parallel %d: err = %v", parallel, err)
		}
		if n := requests.Load(); n != 1 {
			t.Fatalf("parallel %d: %d requests", parallel, n)
		}
	}
	// A page asked for alone (the pipelines screen's, the index's filler).
	c, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) { fmt.Fprint(w, body) })
	if _, _, err := c.PipelinesPageN(context.Background(), 3); !errors.Is(err, api.ErrPagination) {
		t.Fatalf("one page: err = %v", err)
	}
	// Another reply keeps the bound of every reply.
	c, _ = hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) { fmt.Fprint(w, clusterJSON(1)) })
	if _, err := c.GetCluster(context.Background(), "c1"); err != nil {
		t.Fatalf("a cluster: %v", err)
	}
}

// While page 2 is slow, the pages after it asked for are at most as many
// as HeldBytes holds (4 of 60 KB in 256 KB), not every one the parallel
// requests could reach. Page 2 is answered once the list waits at its
// bound, or once a page past those is asked for (only without the bound).
func TestAListHoldsAtMostHeldBytesOfPages(t *testing.T) {
	const window = 4
	api.SetListLimits(t, api.ListLimits{Pages: 1000, Items: 100_000, Bytes: 256 << 20, PageBytes: 64 << 10, HeldBytes: 256 << 10})
	const last = 40
	body := hugePage(60 << 10)
	var mu sync.Mutex
	highest, highestBefore2 := 0, 0
	pastWindow, atBound := make(chan struct{}), make(chan struct{})
	var once, boundOnce sync.Once
	api.OnGateWait(t, func() { boundOnce.Do(func() { close(atBound) }) })
	var page2Done atomic.Bool
	c, _ := hostile(t, 8, func(w http.ResponseWriter, r *http.Request, _ int) {
		n := 1
		if p := r.URL.Query().Get("page"); p != "" {
			n, _ = strconv.Atoi(p)
		}
		mu.Lock()
		highest = max(highest, n)
		if !page2Done.Load() {
			highestBefore2 = max(highestBefore2, n)
		}
		mu.Unlock()
		if n > 2+window-1 && !page2Done.Load() {
			once.Do(func() { close(pastWindow) })
		}
		if n == 2 {
			select {
			case <-pastWindow:
			case <-atBound:
			}
			page2Done.Store(true)
		}
		w.Header().Set("Link", `</v2/organizations/acme/clusters?page=`+strconv.Itoa(last)+`&per_page=100>; rel="last"`)
		fmt.Fprint(w, body)
	})
	pages := 0
	_, err := c.ListClusters(context.Background(), func(p api.Page[model.Cluster]) error {
		pages++
		return nil
	})
	if err != nil || pages != last {
		t.Fatalf("%d pages, err = %v", pages, err)
	}
	if highestBefore2 > 2+window-1 {
		t.Fatalf("while page 2 was on its way, page %d was asked for: more than %d pages outstanding", highestBefore2, window)
	}
	if highest != last {
		t.Fatalf("the list stopped at page %d", highest)
	}
}

// BenchmarkListOfHugePages reports the peak heap, above what it was
// before, of a 20-page list whose server sends pages of 60 MB, 15 MB
// (just under PageBytes) and 300 KB (a real page of pipelines), at the
// default bounds and parallelism:
//
//	go test ./api -run '^$' -bench ListOfHugePages -benchtime 1x
func BenchmarkListOfHugePages(b *testing.B) {
	for _, size := range []int{60 << 20, 15 << 20, 300 << 10} {
		b.Run(strconv.Itoa(size>>10)+"KB", func(b *testing.B) {
			body := []byte(hugePage(size))
			var peak atomic.Uint64
			for range b.N {
				srv := newBenchServer(b, body)
				c, err := api.New(api.Config{Endpoint: srv, Org: "acme", Token: "t", MaxRetries: -1})
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				stop := sampleHeap(&peak)
				_, err = c.ListClusters(context.Background(), func(api.Page[model.Cluster]) error { return nil })
				stop()
				b.Logf("pages of %d KB: %v", size>>10, err)
			}
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}
