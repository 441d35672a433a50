package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

func TestCountsTakeOneRequestEach(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge}, nil)
	ctx := context.Background()
	pipelines, err := env.Client.CountPipelines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clusters, err := env.Client.CountClusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, err := env.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	queues, err := env.Client.CountQueues(ctx, all[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if pipelines != 10_000 || clusters != 25 || queues != 40 {
		t.Fatalf("counted %d pipelines, %d clusters, %d queues; the large organisation has 10000, 25, 40", pipelines, clusters, queues)
	}
	// Three counts and one list: four requests, each count with per_page=1.
	reqs := env.Sandbox.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	for _, i := range []int{0, 1, 3} {
		if !strings.Contains(reqs[i].Path, "per_page=1") || strings.Contains(reqs[i].Path, "per_page=10") {
			t.Errorf("count request %q does not ask for one item a page", reqs[i].Path)
		}
	}
}

func TestCountOfASmallListAndAnEmptyOne(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	n, err := env.Client.CountPipelines(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("empty organisation: %d, %v", n, err)
	}
}

func TestCountWithoutALastLinkIsUncountable(t *testing.T) {
	// An endpoint that names only the next page cannot be counted cheaply.
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", `<`+"/v2/organizations/acme/pipelines?page=2&per_page=1"+`>; rel="next"`)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{}]`))
		})
	})
	if _, err := env.Client.CountPipelines(context.Background()); !errors.Is(err, api.ErrUncountable) {
		t.Fatalf("want ErrUncountable, got %v", err)
	}
}

func TestPipelinesNamedFiltersCaseInsensitively(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, nil)
	all, err := env.Client.ListPipelines(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	word := strings.ToUpper(all[0].Name[:3])
	got, more, err := env.Client.ListPipelinesNamed(context.Background(), word)
	if err != nil || more {
		t.Fatalf("%v, more=%v", err, more)
	}
	want := 0
	for _, p := range all {
		if strings.Contains(strings.ToLower(p.Name), strings.ToLower(word)) {
			want++
		}
	}
	if len(got) != want || want == 0 {
		t.Fatalf("%d pipelines named like %q, want %d", len(got), word, want)
	}
}

// An endpoint that ignores ?name= answers with every pipeline: the
// matches past the first pages must still be found, not cut off by the
// bound meant for a broad filter. (The sandbox filters by name; the
// filter is taken off the requests on their way to it.)
func TestPipelinesNamedReadsAnUnfilteredListToItsEnd(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 2500}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if q := r.URL.Query(); q.Has("name") {
				q.Del("name")
				r.URL.RawQuery = q.Encode()
			}
			h.ServeHTTP(w, r)
		})
	})
	// The last pipeline, from the last page, read as the console reads
	// one page.
	first, _, err := env.Client.PipelinesPageN(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Last <= 20 {
		t.Fatalf("the large organisation has %d pages of pipelines: too few to show the bound", first.Last)
	}
	lastPage, more, err := env.Client.PipelinesPageN(context.Background(), first.Last)
	if err != nil || more || len(lastPage.Items) == 0 {
		t.Fatalf("page %d: %d pipelines, more %v, %v", first.Last, len(lastPage.Items), more, err)
	}
	last := lastPage.Items[len(lastPage.Items)-1]
	before := len(env.Sandbox.Requests())
	got, more, err := env.Client.ListPipelinesNamed(context.Background(), strings.ToUpper(last.Name))
	if err != nil || more {
		t.Fatalf("%v, more=%v", err, more)
	}
	found := false
	for _, p := range got {
		found = found || p.ID == last.ID
	}
	if !found {
		t.Fatalf("%q (the last pipeline, on page %d) not found: got %d", last.Name, first.Last, len(got))
	}
	if n := len(env.Sandbox.Requests()) - before; n != first.Last {
		t.Fatalf("%d pages read without the filter, want all %d", n, first.Last)
	}
}
