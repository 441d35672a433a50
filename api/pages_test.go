package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// hostile starts a server that answers every request with handle, and a
// client of it that never retries.
func hostile(t *testing.T, parallel int, handle func(w http.ResponseWriter, r *http.Request, n int)) (*api.Client, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handle(w, r, int(requests.Add(1)))
	}))
	t.Cleanup(srv.Close)
	c, err := api.New(api.Config{Endpoint: srv.URL, Org: "acme", Token: "secret-token", MaxRetries: -1, Parallel: parallel})
	if err != nil {
		t.Fatal(err)
	}
	return c, &requests
}

func clusterJSON(i int) string {
	return fmt.Sprintf(`{"id":"c%d","graphql_id":"g","default_queue_id":null,"name":"Cluster %d","description":null,"emoji":null,"color":null,`+
		`"url":"u","web_url":"w","default_queue_url":null,"queues_url":"q","created_at":"2023-05-03T04:17:55.867Z","created_by":null}`, i, i)
}

func page(items int, from int) string {
	parts := make([]string, items)
	for i := range parts {
		parts[i] = clusterJSON(from + i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestListSkipsAnItemItCannotRead(t *testing.T) {
	// One pipeline of three has steps that are not a list: the other two
	// are read, env values of every JSON type included, and the one is
	// counted with its reason.
	good := func(slug string) string {
		return `{"id":"` + slug + `","name":"` + slug + `","slug":"` + slug + `","repository":"git@github.com:acme/x.git","cluster_id":null,` +
			`"description":null,"provider":{"id":"github","settings":{}},"created_by":null,"created_at":"2013-09-03 13:24:38 UTC","archived_at":null,` +
			`"env":{"S":"x","N":3,"F":1.5,"B":false,"Z":null,"L":[1],"O":{"a":1}},"tags":null,"new_field":{"x":[1,2]},` +
			`"steps":[{"type":"script","name":null,"command":"make","env":{"RETRIES":2},"agent_query_rules":null}]}`
	}
	broken := `{"id":"b","name":"Broken Deploy","slug":"broken","steps":"not a list"}`
	c, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		fmt.Fprint(w, "["+good("alpha")+","+broken+","+good("omega")+"]")
	})
	all, err := c.ListPipelines(context.Background(), nil)
	skipped, partial := api.Partial(err)
	if !partial || skipped.Count != 1 || len(all) != 2 || all[0].Slug != "alpha" || all[1].Slug != "omega" {
		t.Fatalf("got %d pipelines, err %v", len(all), err)
	}
	msg := skipped.Describe("pipeline")
	if msg != `1 pipeline could not be read: item 2 of page 1 ("Broken Deploy"): "steps" is a JSON string, which the console cannot read there` {
		t.Fatalf("message = %q", msg)
	}
	if all[0].Env["N"] != "3" || all[0].Env["B"] != "false" || all[0].Env["Z"] != "null" || all[0].Env["O"] != `{"a":1}` ||
		all[0].Steps[0].Env["RETRIES"] != "2" {
		t.Fatalf("env = %v, step env = %v", all[0].Env, all[0].Steps[0].Env)
	}

	// Streaming: the page says what it skipped.
	var pages []api.Page[model.Pipeline]
	_, err = c.ListPipelines(context.Background(), func(p api.Page[model.Pipeline]) error {
		pages = append(pages, p)
		return nil
	})
	if _, partial := api.Partial(err); !partial || len(pages) != 1 || pages[0].Skipped != 1 || len(pages[0].Items) != 2 || pages[0].SkipReason == nil {
		t.Fatalf("pages = %+v, err %v", pages, err)
	}

	// A page that is not a list at all is still an error of the list.
	c2, _ := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) { fmt.Fprint(w, `{"message":"oops"}`) })
	if _, err := c2.ListClusters(context.Background(), nil); err == nil {
		t.Fatal("an object as a page was accepted")
	} else if _, partial := api.Partial(err); partial {
		t.Fatalf("a page that is not a list reported as partial: %v", err)
	}
}

func TestListStopsAtANextLinkToItself(t *testing.T) {
	for _, parallel := range []int{1, 8} {
		c, requests := hostile(t, parallel, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Link", "<"+r.URL.String()+`>; rel="next"`)
			fmt.Fprint(w, page(2, n*2))
		})
		all, err := c.ListClusters(context.Background(), nil)
		if !errors.Is(err, api.ErrPagination) || !strings.Contains(err.Error(), "links back to page 1") {
			t.Fatalf("parallel %d: err = %v", parallel, err)
		}
		if got := requests.Load(); got != 1 || len(all) != 2 {
			t.Fatalf("parallel %d: %d requests, %d items", parallel, got, len(all))
		}
	}
}

func TestListStopsAtACycleOfPages(t *testing.T) {
	// Page 3 links back to page 2: three requests, then a clear error.
	c, requests := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		next := 2
		if p := r.URL.Query().Get("page"); p == "2" {
			next = 3
		}
		w.Header().Set("Link", `</v2/organizations/acme/clusters?page=`+strconv.Itoa(next)+`&per_page=100>; rel="next"`)
		fmt.Fprint(w, page(100, n*100))
	})
	_, err := c.ListClusters(context.Background(), nil)
	if !errors.Is(err, api.ErrPagination) || requests.Load() != 3 {
		t.Fatalf("%d requests, err = %v", requests.Load(), err)
	}
}

func TestListRefusesAHugeLastBeforeFetchingIt(t *testing.T) {
	for _, parallel := range []int{1, 8} {
		c, requests := hostile(t, parallel, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Link", `</v2/organizations/acme/clusters?page=2&per_page=100>; rel="next", `+
				`</v2/organizations/acme/clusters?page=100000000&per_page=100>; rel="last"`)
			fmt.Fprint(w, page(100, 0))
		})
		var delivered int
		_, err := c.ListClusters(context.Background(), func(p api.Page[model.Cluster]) error {
			delivered += len(p.Items)
			return nil
		})
		if !errors.Is(err, api.ErrPagination) || !strings.Contains(err.Error(), "100000000 pages") {
			t.Fatalf("parallel %d: err = %v", parallel, err)
		}
		if requests.Load() != 1 || delivered != 100 {
			t.Fatalf("parallel %d: %d requests, %d delivered", parallel, requests.Load(), delivered)
		}
	}
}

func TestListBoundsEndlessPages(t *testing.T) {
	// Full pages for ever, each linking to the next: the list stops at the
	// page ceiling (1,000 pages of 100 by default) with what it read. The
	// clusters are bare (an id and a name): it is their number that
	// counts, and 100,000 whole ones take seconds to decode under the
	// race detector.
	items := make([]string, 100)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"c%d","name":"Cluster %d"}`, i, i)
	}
	bare := "[" + strings.Join(items, ",") + "]"
	c, requests := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Link", `</v2/organizations/acme/clusters?page=`+strconv.Itoa(n+1)+`&per_page=100>; rel="next"`)
		fmt.Fprint(w, bare)
	})
	var delivered int
	_, err := c.ListClusters(context.Background(), func(p api.Page[model.Cluster]) error {
		delivered += len(p.Items)
		return nil
	})
	if !errors.Is(err, api.ErrPagination) || !strings.Contains(err.Error(), "more than 1000 pages") {
		t.Fatalf("err = %v", err)
	}
	if requests.Load() != int64(api.DefaultListLimits.Pages) || delivered != api.DefaultListLimits.Items {
		t.Fatalf("%d requests, %d items", requests.Load(), delivered)
	}
}

func TestListBoundsAServerThatIgnoresPerPage(t *testing.T) {
	api.SetListLimits(t, api.ListLimits{Pages: 1000, Items: 2500, Bytes: 256 << 20})
	c, requests := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Link", `</v2/organizations/acme/clusters?page=`+strconv.Itoa(n+1)+`&per_page=100>; rel="next"`)
		fmt.Fprint(w, page(1000, n*1000))
	})
	all, err := c.ListClusters(context.Background(), nil)
	if !errors.Is(err, api.ErrPagination) || !strings.Contains(err.Error(), "more than 2500 items") {
		t.Fatalf("err = %v", err)
	}
	if requests.Load() != 3 || len(all) != 2000 {
		t.Fatalf("%d requests, %d items kept", requests.Load(), len(all))
	}

	// The bytes bound, over pages fetched in parallel up to rel="last".
	api.SetListLimits(t, api.ListLimits{Pages: 1000, Items: 100_000, Bytes: 100_000})
	c, _ = hostile(t, 4, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Link", `</v2/organizations/acme/clusters?page=50&per_page=100>; rel="last"`)
		fmt.Fprint(w, page(100, 0))
	})
	_, err = c.ListClusters(context.Background(), nil)
	if !errors.Is(err, api.ErrPagination) || !strings.Contains(err.Error(), "more than 97 KB of items") {
		t.Fatalf("bytes: err = %v", err)
	}
}

func TestListStopsAtANextPastTheLastNamed(t *testing.T) {
	// Every page says the last is 2, yet links to a next one.
	c, requests := hostile(t, 1, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Link", `</v2/organizations/acme/clusters?page=`+strconv.Itoa(n+1)+`&per_page=100>; rel="next", `+
			`</v2/organizations/acme/clusters?page=2&per_page=100>; rel="last"`)
		fmt.Fprint(w, page(100, n*100))
	})
	all, err := c.ListClusters(context.Background(), nil)
	if !errors.Is(err, api.ErrPagination) || !strings.Contains(err.Error(), "past the last it names (2)") || requests.Load() != 2 || len(all) != 200 {
		t.Fatalf("%d requests, %d items, err = %v", requests.Load(), len(all), err)
	}
}
