package org

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// sharedIndex is one index file as this process holds it: read once, off
// the console's event loop, and shared by every console of the process
// that uses the file — every SSH session of a server — with the one saver
// that writes it and the progress of the one background listing that
// completes it. Ten viewers of a 10,000-pipeline organisation cost one
// read of the file and one index in memory, not ten.
type sharedIndex struct {
	// ready is closed once ix is read.
	ready chan struct{}
	ix    *pipelineindex.Index
	saver *indexSaver
	fill  fillProgress
	// told is set once a console has said why the file was ignored.
	told atomic.Bool
}

// indexes are the shared indexes by file, held weakly: one lives as long
// as a console uses it, and the next console after the last reads the
// file again.
var indexes = struct {
	mu sync.Mutex
	m  map[string]weak.Pointer[sharedIndex]
}{m: map[string]weak.Pointer[sharedIndex]{}}

// openIndex reads an index file; tests hold it back.
var openIndex = pipelineindex.Open

// sharedIndexFor is the index of org at endpoint in dir, shared: started
// reading in the background by the first console to ask.
func sharedIndexFor(dir, endpoint, org string) *sharedIndex {
	path := pipelineindex.Path(dir, endpoint, org)
	indexes.mu.Lock()
	defer indexes.mu.Unlock()
	if sh := indexes.m[path].Value(); sh != nil {
		return sh
	}
	sh := &sharedIndex{ready: make(chan struct{}), saver: &indexSaver{}}
	wp := weak.Make(sh)
	indexes.m[path] = wp
	runtime.AddCleanup(sh, func(path string) {
		indexes.mu.Lock()
		defer indexes.mu.Unlock()
		if indexes.m[path] == wp {
			delete(indexes.m, path)
		}
	}, path)
	go func() {
		sh.ix = openIndex(dir, endpoint, org)
		close(sh.ready)
	}()
	return sh
}
