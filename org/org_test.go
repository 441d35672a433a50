package org

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

func clusterLists(env *sandboxtest.Env) int {
	n := 0
	for _, r := range env.Sandbox.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(strings.SplitN(r.Path, "?", 2)[0], "/clusters") {
			n++
		}
	}
	return n
}

// The lane travels with the request: an interactive read may be answered
// by a shared cache, a fresh one (a person's r) always reaches the API.
func TestFreshLaneBypassesTheSharedCache(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	client := env.ClientWith(t, api.Config{CacheFor: time.Hour})
	ctx := context.Background()
	for _, lane := range []Lane{Interactive, Interactive, Background} {
		if _, err := client.ListClusters(lane.Context(ctx), nil); err != nil {
			t.Fatalf("%v: %v", lane, err)
		}
	}
	if n := clusterLists(env); n != 1 {
		t.Fatalf("%d requests for three cached reads, want 1", n)
	}
	if _, err := client.ListClusters(Fresh.Context(ctx), nil); err != nil {
		t.Fatal(err)
	}
	if n := clusterLists(env); n != 2 {
		t.Fatalf("%d requests after a fresh read, want 2", n)
	}
}

// drain applies every page of a load, calling each after it is applied.
func drain(pc *Pipelines, pages <-chan PipelinesPage, each func(PipelinesPage)) {
	for p := range pages {
		pc.Apply(p)
		if each != nil {
			each(p)
		}
	}
}

// A first load shows each page as it comes; one load runs at a time; a
// refresh keeps the whole list on show until the new one is complete.
func TestPipelinesLoadProgressivelyOnceAtATime(t *testing.T) {
	t.Parallel()
	// Twenty pages: what is tested is page after page, not 10,000
	// pipelines, which cost seconds a load under the race detector.
	const pipelines = 2000
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pipelines}, nil)
	s := New(env.Client, func() time.Time { return sandboxtest.Now }, strings.ToUpper)
	pc := s.Pipelines
	ctx := context.Background()

	pages, started := pc.Load(ctx, env.Client, Interactive, false)
	if !started {
		t.Fatal("the first load did not start")
	}
	if _, again := pc.Load(ctx, env.Client, Interactive, true); again {
		t.Fatal("a second load started while the first was on its way")
	}
	var seen []int
	drain(pc, pages, func(p PipelinesPage) {
		if !p.Done {
			seen = append(seen, len(pc.Items))
		}
	})
	if len(seen) < 2 || seen[0] == 0 || seen[0] >= seen[len(seen)-1] {
		t.Fatalf("the list did not grow page by page: %v", seen)
	}
	if !pc.Loaded || pc.Loading || pc.Err != nil || !pc.LoadedAt.Equal(sandboxtest.Now) {
		t.Fatalf("after the load: loaded=%v loading=%v err=%v at=%v", pc.Loaded, pc.Loading, pc.Err, pc.LoadedAt)
	}
	total := len(pc.Items)
	if total != pipelines {
		t.Fatalf("%d pipelines, want %d", total, pipelines)
	}
	if _, again := pc.Load(ctx, env.Client, Interactive, false); again {
		t.Fatal("a loaded list was fetched again without force")
	}
	if got, want := pc.Name(&pc.Items[0]), strings.ToUpper(pc.Items[0].Name); got != want {
		t.Fatalf("name %q, want it made by the display function: %q", got, want)
	}

	pages, started = pc.Load(ctx, env.Client, Fresh, true)
	if !started {
		t.Fatal("a forced refresh did not start")
	}
	drain(pc, pages, func(p PipelinesPage) {
		if !p.Done && len(pc.Items) != total {
			t.Fatalf("a refresh showed %d pipelines before it was complete", len(pc.Items))
		}
	})
	if len(pc.Items) != total || !pc.Loaded {
		t.Fatalf("after the refresh: %d pipelines, loaded=%v", len(pc.Items), pc.Loaded)
	}
}

// A page of a load that a newer one replaced changes nothing.
func TestStalePipelinePagesAreIgnored(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	pc := New(env.Client, nil, nil).Pipelines
	pages, _ := pc.Load(context.Background(), env.Client, Interactive, false)
	stale := PipelinesPage{Gen: pc.gen - 1, Items: []model.Pipeline{{ID: "x", Slug: "x"}}, Number: 1, Last: 1}
	if pc.Current(stale) {
		t.Fatal("a page of an older load counts as current")
	}
	pc.Apply(stale)
	drain(pc, pages, nil)
	if _, ok := pc.Find("x"); ok {
		t.Fatal("a stale page's pipeline was kept")
	}
	if len(pc.Items) == 0 {
		t.Fatal("the current load's pipelines are missing")
	}
}

// Changes made here or in another session keep every index current.
func TestChangesKeepTheStateCurrent(t *testing.T) {
	s := New(nil, func() time.Time { return sandboxtest.Now }, nil)
	s.SetClusters([]model.Cluster{{ID: "c1", Name: "One"}, {ID: "c2", Name: "Two"}})
	if !s.ClustersAt().Equal(sandboxtest.Now) {
		t.Fatalf("clusters fetched at %v", s.ClustersAt())
	}
	s.Apply(QueuesSeen{ClusterID: "c1", Queues: []model.Queue{{ID: "q1", Key: "default"}, {ID: "q2", Key: "macos"}}})
	s.Apply(QueueChanged{ClusterID: "c2", Queue: model.Queue{ID: "q3", Key: "linux"}})
	if got := len(s.Queues()); got != 3 {
		t.Fatalf("%d queues indexed, want 3", got)
	}
	s.Apply(QueueRemoved{ClusterID: "c1", QueueID: "q2"})
	if got := len(s.Queues()); got != 2 {
		t.Fatalf("%d queues after a removal, want 2", got)
	}
	if k, ok := s.QueueKey("q2"); !ok || k != "macos" {
		t.Fatalf("a removed queue's key is forgotten: %q %v", k, ok)
	}
	s.Apply(ClusterChanged{Cluster: model.Cluster{ID: "c2", Name: "Renamed"}})
	s.Apply(ClusterChanged{Cluster: model.Cluster{ID: "c3", Name: "New"}})
	if cl, _ := s.Cluster("c2"); cl.Name != "Renamed" || len(s.Clusters()) != 3 {
		t.Fatalf("clusters after changes: %+v", s.Clusters())
	}
	s.Apply(ClusterRemoved{ClusterID: "c2"})
	if _, ok := s.Cluster("c2"); ok {
		t.Fatal("a removed cluster is still known")
	}
	for _, e := range s.Queues() {
		if e.ClusterID == "c2" {
			t.Fatalf("a removed cluster's queue is still indexed: %+v", e)
		}
	}

	pc := s.Pipelines
	s.Apply(PipelineChanged{Pipeline: model.Pipeline{ID: "p1", Slug: "app", Name: "App"}})
	s.Apply(PipelineChanged{Pipeline: model.Pipeline{ID: "p1", Slug: "app", Name: "App 2"}})
	if p, ok := pc.Find("app"); !ok || p.Name != "App 2" || len(pc.Items) != 1 {
		t.Fatalf("pipelines after changes: %+v", pc.Items)
	}
	s.Apply(PipelineRemoved{Slug: "app"})
	if len(pc.Items) != 0 {
		t.Fatalf("a removed pipeline is still listed: %+v", pc.Items)
	}
}

func TestRepoPath(t *testing.T) {
	for in, want := range map[string]string{
		"git@github.com:acme-inc/app.git":  "acme-inc/app",
		"https://github.com/acme-inc/app":  "acme-inc/app",
		"https://gitlab.example/a/b/c.git": "a/b/c",
		"plain":                            "plain",
	} {
		if got := RepoPath(in); got != want {
			t.Errorf("RepoPath(%q) = %q, want %q", in, got, want)
		}
	}
}
