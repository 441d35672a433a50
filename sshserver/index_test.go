package sshserver

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// Finding 9 (issue 24): each session read its own copy of the pipelines
// index (three viewers of a 65 MB index: 1.19 GB). The sessions of a
// server share one index: its file is read once, however many sessions
// show it.
func TestSessionsShareOnePipelinesIndex(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	h := startServer(t)
	seed := pipelineindex.Open(filepath.Join(cache, "kiteconsole"), h.client.Endpoint(), h.client.Org())
	seed.Replace([]pipelineindex.Entry{{ID: "p-seeded", Slug: "seeded-from-the-index", Name: "seeded-from-the-index"}}, time.Now())
	if err := seed.Save(); err != nil {
		t.Fatal(err)
	}
	before := pipelineindex.Loads()
	sessions := []*terminal{h.open(h.viewer, "vera"), h.open(h.viewer, "victor"), h.open(h.operator, "olga")}
	for i, tm := range sessions {
		tm.keys(":pipelines\r")
		eventually(t, "the index's pipeline in session "+string(rune('1'+i)), func() bool {
			return strings.Contains(tm.received(), "seeded-from-the-index")
		})
	}
	if n := pipelineindex.Loads() - before; n != 1 {
		t.Fatalf("three sessions read the index %d times, want once", n)
	}
}
