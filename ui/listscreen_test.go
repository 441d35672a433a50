package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// A screen declared on the list host, as a new screen is written: its
// columns with their cells, a panel, marks, a key with its help; the host
// does the rest.
func clusterListScreen(c *common.Common, marked map[string]bool) *component.ListScreen[model.Cluster] {
	name := func(cl model.Cluster) string { return common.Clean(cl.Name) }
	return component.NewListScreen(c, component.ListScreenSpec[model.Cluster]{
		Crumb: "Test", Title: "Test clusters",
		Load: func(ctx context.Context) ([]model.Cluster, error) { return c.Client.ListClusters(ctx, nil) },
		Panel: func(int) []string {
			return []string{"panel: " + common.Plural(len(marked), "mark", "marks")}
		},
		List: component.ListSpec[model.Cluster]{
			Noun: "clusters", Empty: "no clusters",
			Columns: []component.ListColumn[model.Cluster]{
				component.Col("NAME", 14, 1, 0, name),
				component.Col("ID", 10, 1, 0, func(cl model.Cluster) string { return cl.ID }),
			},
			Key:        func(cl model.Cluster) string { return cl.ID },
			Match:      func(cl model.Cluster) (string, int) { return name(cl), len(name(cl)) },
			Marked:     func(cl model.Cluster) bool { return marked[cl.ID] },
			ToggleMark: func(cl model.Cluster) common.Reply { marked[cl.ID] = !marked[cl.ID]; return common.Reply{} },
			Keys: []component.ListKey[model.Cluster]{
				component.OnItem(c.Keys.Open, func(cl model.Cluster) tea.Cmd {
					return common.Flash(common.FlashInfo, "picked "+name(cl))
				}),
				component.Shown[model.Cluster](c.Keys.Filter),
			},
		},
	})
}

func TestListScreenHostsADeclaredList(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	d := startDriver(t, driverOptions{width: 100, height: 30, cacheFor: time.Hour, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fail.Load() {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	d.waitFor("Production", "PAUSED")
	marked := map[string]bool{}
	d.open(func(c *common.Common) common.Screen { return clusterListScreen(c, marked) })
	frame := d.waitFor("Test clusters  5", "panel: 0 marks", "enter open · / filter")

	// Filter, select and act with the screen's own key.
	d.keys("/")
	d.typeText("mob")
	d.keys("enter")
	d.waitFor("1 of 5")
	d.keys("enter")
	d.waitFor("picked Mobile")
	d.keys("esc") // clears the filter
	d.waitGone("1 of 5")

	// Marks are drawn by the host; the panel reads the screen's state.
	d.keys("g", "space")
	frame = d.waitFor("panel: 1 mark", "● ")
	if !strings.Contains(frame, "● Production") {
		t.Fatalf("the first row is not marked:\n%s", frame)
	}

	// r reaches the API (the fresh lane) although the cache could answer.
	lists := func() int {
		n := 0
		for _, r := range d.env.Sandbox.Requests() {
			if r.Method == http.MethodGet && strings.HasSuffix(strings.SplitN(r.Path, "?", 2)[0], "/clusters") {
				n++
			}
		}
		return n
	}
	before := lists()
	d.keys("r")
	d.waitUntil("asked the API again", true, func(string) bool { return lists() == before+1 })

	// A failed refresh keeps the rows and says how old they are.
	fail.Store(true)
	d.keys("r")
	frame = d.waitFor("refresh failed; showing data from", "could not load clusters")
	if !strings.Contains(frame, "Sandbox") {
		t.Fatalf("the rows went away:\n%s", frame)
	}
	fail.Store(false)
	d.keys("esc")
	d.waitFor("Clusters", "PAUSED")
}

// A progressive list shows the pages of its first load as they come; a
// reload keeps the whole list on show until its new list is complete.
func TestListScreenLoadsPageByPage(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 100, height: 30})
	d.waitFor("Production", "PAUSED")
	all, err := d.env.Client.ListPipelines(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := len(all)
	if n <= 7 {
		t.Fatalf("%d pipelines: the test needs several pages of seven", n)
	}
	// Each load sends its first page, says so, then waits for the test.
	gate, gated := make(chan struct{}, 1), make(chan struct{}, 1)
	d.open(func(c *common.Common) common.Screen {
		return component.NewListScreen(c, component.ListScreenSpec[model.Pipeline]{
			Crumb: "Paged", Title: "Paged pipelines",
			Pages: func(ctx context.Context, page func([]model.Pipeline)) error {
				all, err := c.Client.ListPipelines(ctx, nil)
				if err != nil {
					return err
				}
				for i := 0; i < len(all); i += 7 {
					page(all[i:min(i+7, len(all))])
					if i == 0 {
						gated <- struct{}{}
						d.wake()
						select {
						case <-gate:
						case <-ctx.Done():
							return ctx.Err()
						}
					}
				}
				return nil
			},
			List: component.ListSpec[model.Pipeline]{
				Noun: "pipelines", Empty: "no pipelines",
				Columns: []component.ListColumn[model.Pipeline]{
					component.Col("SLUG", 20, 1, 0, func(p model.Pipeline) string { return p.Slug }),
				},
				Key:   func(p model.Pipeline) string { return p.Slug },
				Match: func(p model.Pipeline) (string, int) { return p.Slug, len(p.Slug) },
			},
		})
	})
	d.waitShown("Paged pipelines  loading… 7", common.Clean(all[6].Slug))
	<-gated
	gate <- struct{}{}
	d.waitFor("Paged pipelines  " + strconv.Itoa(n))

	d.keys("r")
	// The reload's first page is in: the whole list is still on show.
	d.waitUntil("read the reload's first page", false, func(string) bool { return len(gated) == 1 })
	d.catchUp()
	if frame, busy := d.frame(); !busy || !strings.Contains(frame, "Paged pipelines  "+strconv.Itoa(n)) {
		t.Fatalf("a reload did not keep the whole list on show (loading: %v):\n%s", busy, frame)
	}
	<-gated
	gate <- struct{}{}
	d.waitFor("Paged pipelines  " + strconv.Itoa(n))
}
