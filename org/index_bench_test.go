package org

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// BenchmarkIndexAtItsBound measures three consoles of one process (SSH
// sessions) starting on an index of pipelineindex.MaxEntries pipelines:
// how long UseIndex takes (the start never waits for the file), the read
// and the rows made off the event loop, TakeIndex on it, the file reads
// and the heap held:
//
//	go test ./org -run '^$' -bench IndexAtItsBound -benchtime 1x
func BenchmarkIndexAtItsBound(b *testing.B) {
	dir := b.TempDir()
	client, err := api.New(api.Config{Org: "acme", Endpoint: "http://127.0.0.1:1/v2", Token: "t"})
	if err != nil {
		b.Fatal(err)
	}
	seed := pipelineindex.Open(dir, client.Endpoint(), client.Org())
	entries := make([]pipelineindex.Entry, pipelineindex.MaxEntries)
	for i := range entries {
		entries[i] = pipelineindex.Entry{ID: fmt.Sprintf("01890000-0000-7000-8000-%012d", i), Slug: fmt.Sprintf("pipeline-%d", i),
			Name: fmt.Sprintf("Pipeline %d", i), Repository: fmt.Sprintf("git@github.com:acme-inc/repository-%d.git", i),
			ClusterID: "01890000-0000-7000-8000-000000000001"}
	}
	seed.Replace(entries, time.Now())
	if err := seed.Save(); err != nil {
		b.Fatal(err)
	}
	seed, entries = nil, nil
	for range b.N {
		forgetIndexes()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		loads := pipelineindex.Loads()
		var consoles []*State
		var slowestUse, slowestTake time.Duration
		for range 3 {
			s := New(client, time.Now, nil)
			start := time.Now()
			s.UseIndex(dir)
			slowestUse = max(slowestUse, time.Since(start))
			<-s.IndexReady()
			rows := s.PrepareIndex()
			start = time.Now()
			s.TakeIndex(rows)
			slowestTake = max(slowestTake, time.Since(start))
			consoles = append(consoles, s)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(slowestUse.Microseconds()), "UseIndex-µs")
		b.ReportMetric(float64(slowestTake.Milliseconds()), "TakeIndex-ms")
		b.ReportMetric(float64(pipelineindex.Loads()-loads), "file-reads")
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-MB")
		runtime.KeepAlive(consoles)
	}
}
