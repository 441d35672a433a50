package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// After G, pipelines made elsewhere land after the last page G read: r
// at the end reads that page again and, since it now says more follow,
// the new last page; the new pipelines are reachable at the end, the gap
// row and the title's total are true. Grown again, going up from the end
// reads a page whose Link names the new last: G then reads it, and, the
// old last page having been short, starts the tail again there and reads
// the page before it too. (Before, r read the old last page and kept the
// old total, and G with the end in read nothing: the new pipelines were
// never shown.)
func TestRAndGAtTheEndFollowAListThatGrew(t *testing.T) {
	t.Parallel()
	const pipelines = 1000 // ten full pages
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pipelines, Clock: clock}, nil)
	ctx := context.Background()
	all, err := env.Client.ListPipelines(ctx, nil)
	if err != nil || len(all) != pipelines {
		t.Fatalf("the whole list: %d pipelines, %v", len(all), err)
	}
	cls, err := env.Client.ListClusters(ctx, nil)
	if err != nil || len(cls) == 0 {
		t.Fatalf("clusters: %v", err)
	}
	// made makes pipelines elsewhere (not through the console), listed
	// after every other by name.
	made := func(names ...string) {
		t.Helper()
		for _, name := range names {
			if _, err := env.Client.CreatePipeline(ctx, model.PipelineCreate{Name: name, ClusterID: cls[0].ID,
				Repository: "git@github.com:acme/zz.git", Configuration: model.DefaultConfiguration}); err != nil {
				t.Fatal(err)
			}
		}
	}
	d := startConsole(t, env, clock, 120, 30)
	// gap checks what the gap row stands for: the pages between the head
	// and the tail, each full.
	gap := func(want int) {
		t.Helper()
		if _, missing, ok := d.app.c.Org.Pipelines.Gap(); !ok || missing != want {
			t.Fatalf("the gap row stands for %d pipelines (%v), want %d", missing, ok, want)
		}
	}
	d.waitFor("payments-01")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("more as you scroll")
	d.keys("G")
	d.waitFor("› "+all[len(all)-1].Name, "Pipelines  1,000 · ")

	made("zzz one", "zzz three", "zzz two")
	from := len(env.Sandbox.Requests())
	d.keys("r")
	d.waitFor("refreshed: ")
	d.settle()
	if got := pagesAsked(env, from); !slices.Equal(got, []string{"10", "11"}) {
		t.Fatalf("r at the end asked for pages %v, want [10 11] (the tail's last page, then the new last)", got)
	}
	d.waitFor("Pipelines  1,003 · ")
	gap(800)
	from = len(env.Sandbox.Requests())
	d.keys("G")
	d.waitFor("› zzz two")
	if got := pagesAsked(env, from); len(got) != 0 {
		t.Fatalf("G with the new end in asked for pages %v", got)
	}

	// Grown by a page more: going up from the end reads the page before
	// the tail, whose Link names the new last page; G reads it.
	var more []string
	for i := range 100 {
		more = append(more, fmt.Sprintf("zzzz %03d", i))
	}
	made(more...)
	from = len(env.Sandbox.Requests())
	for presses := 0; len(pagesAsked(env, from)) == 0; presses++ {
		if presses > 150 {
			f, _ := d.frame()
			t.Fatalf("150 presses of k up from the end asked for no page:\n%s", f)
		}
		d.keys("k")
		d.waitFor("› ")
	}
	d.settle()
	if got := pagesAsked(env, from); !slices.Equal(got, []string{"9"}) {
		t.Fatalf("k up from the end asked for pages %v, want [9]", got)
	}
	if frame, _ := d.frame(); strings.Contains(frame, "Pipelines  1,003 · ") {
		t.Fatalf("the title keeps the old total once a page said the list grew:\n%s", frame)
	}
	from = len(env.Sandbox.Requests())
	d.keys("G")
	d.waitFor("› zzzz 099", "Pipelines  1,103 · ")
	d.settle()
	// The tail's last page (11) was read when it held 3 rows: the 97
	// made since are on it now, in no page held. The tail starts again
	// at page 12 and the old tail's pages are in the gap; the gap row is
	// on screen below 3 rows, so page 11 is read again at once.
	if got := pagesAsked(env, from); !slices.Equal(got, []string{"12", "11"}) {
		t.Fatalf("G asked for pages %v, want [12 11] (the new last, then the page before it, the gap row being on screen)", got)
	}
	pc := d.app.c.Org.Pipelines
	if pc.Tail != 11 {
		t.Fatalf("the tail starts at page %d, want 11", pc.Tail)
	}
	gap(1103 - 103 - pc.Pages*100)
	end := pc.Items[len(pc.Items)-103:]
	for i, p := range end {
		want := fmt.Sprintf("zzzz %03d", i-3)
		if i < 3 {
			want = []string{"zzz one", "zzz three", "zzz two"}[i]
		}
		if p.Name != want {
			t.Fatalf("row %d of the last 103 is %q, want %q", i, p.Name, want)
		}
	}
}
