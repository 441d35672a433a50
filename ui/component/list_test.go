package component

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/theme"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

type fruit struct{ id, name string }

func testList(now *time.Time) (*List[fruit], *common.Common) {
	c := &common.Common{Area: &common.Area{Styles: theme.New(true), Width: 60, Height: 10}, Keys: keymap.Default(), Now: func() time.Time { return *now },
		AppCtx: context.Background(), Tasks: &common.Tasks{Label: map[int]string{}}}
	marked := map[string]bool{}
	l := NewList(c, ListSpec[fruit]{
		Noun: "fruit", Empty: "no fruit yet",
		Columns: []ListColumn[fruit]{
			Col("NAME", 10, 1, 0, func(f fruit) string { return f.name }),
			Col("ID", 4, 0, 0, func(f fruit) string { return f.id }),
		},
		Key:        func(f fruit) string { return f.id },
		Match:      func(f fruit) (string, int) { return f.name, len(f.name) },
		Marked:     func(f fruit) bool { return marked[f.id] },
		ToggleMark: func(f fruit) common.Reply { marked[f.id] = !marked[f.id]; return common.Reply{} },
	})
	return l, c
}

func plain(s string) string { return ansi.Strip(s) }

// The host says what a list is doing before it has rows: loading, or what
// went wrong and that r tries again; after a failed refresh the rows stay
// and their age is known.
func TestListPlaceholdersAndAge(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	l, _ := testList(&now)
	l.StartLoad()
	if got := plain(l.View(60, 8)); !strings.Contains(got, "loading fruit…") {
		t.Fatalf("while loading: %q", got)
	}
	if cmd := l.Loaded(nil, errors.New("boom")); cmd == nil {
		t.Fatal("a failed first load says nothing")
	}
	got := plain(l.View(60, 8))
	if !strings.Contains(got, "could not load fruit: boom") || !strings.Contains(got, "r tries again") {
		t.Fatalf("after a failed load: %q", got)
	}
	l.Loaded(nil, nil)
	if got := plain(l.View(60, 8)); !strings.Contains(got, "no fruit yet") {
		t.Fatalf("an empty list: %q", got)
	}
	l.Loaded([]fruit{{"1", "apple"}, {"2", "pear"}}, nil)
	now = now.Add(5 * time.Minute)
	if cmd := l.Loaded(nil, fmt.Errorf("wrapped: %w", api.ErrDeferred)); cmd != nil {
		t.Fatal("a refresh the budget put off said something")
	}
	if _, stale := l.Stale(); stale {
		t.Fatal("a deferred refresh counts as failed")
	}
	l.Loaded(nil, errors.New("boom"))
	age, stale := l.Stale()
	if !stale || age != "5m ago" {
		t.Fatalf("after a failed refresh: stale=%v age=%q", stale, age)
	}
	if got := plain(l.View(60, 8)); !strings.Contains(got, "apple") || !strings.Contains(got, "pear") {
		t.Fatalf("the rows went away after a failed refresh: %q", got)
	}
}

// Changes keep the cursor where it was; a new item takes it; marks are
// the host's.
func TestListUpsertRemoveAndMarks(t *testing.T) {
	now := time.Now()
	l, _ := testList(&now)
	l.Loaded([]fruit{{"1", "apple"}, {"2", "pear"}}, nil)
	l.View(60, 8)
	if !l.Upsert(fruit{"3", "plum"}) {
		t.Fatal("a new item was not reported as new")
	}
	if f, _ := l.selected(); f.id != "3" {
		t.Fatalf("the cursor is on %+v, not the new item", f)
	}
	l.Upsert(fruit{"3", "damson"})
	if f, _ := l.selected(); f.name != "damson" || len(l.Items) != 3 {
		t.Fatalf("an edit: %+v of %d", f, len(l.Items))
	}
	l.Remove("3")
	if len(l.Items) != 2 {
		t.Fatalf("%d items after a removal", len(l.Items))
	}
	l.Update(tea.KeyPressMsg{Code: 'g', Text: "g"}, 0)
	used, _ := l.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}, 0)
	if !used {
		t.Fatal("space was not taken by a markable list")
	}
	if got := plain(l.View(60, 8)); !strings.Contains(got, "● apple") {
		t.Fatalf("the mark is not drawn: %q", got)
	}
	if f, _ := l.selected(); f.id != "2" {
		t.Fatalf("marking did not move the cursor down: on %+v", f)
	}

}

// Issue 17, 9: a failed first load's error was cut at the window's edge,
// losing its cause.
func TestListErrorWrapsWhole(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	l, _ := testList(&now)
	l.StartLoad()
	l.Loaded(nil, errors.New(`Get "http://127.0.0.1:9/v2/organizations/acme/clusters": dial tcp 127.0.0.1:9: connect: connection refused`))
	got := plain(l.View(40, 8))
	joined := strings.Join(strings.Fields(got), " ")
	if !strings.Contains(joined, "connection refused") || !strings.Contains(joined, "r tries again") {
		t.Fatalf("the error is cut:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if w := len([]rune(line)); w > 40 {
			t.Fatalf("a line of %d runes in 40 columns: %q", w, line)
		}
	}
}

// A list seeded by another screen (the home screen's queues, read by key)
// then loaded in the API's order keeps the cursor on the first row when
// the person left it there, and on the item they moved it to otherwise.
func TestASeedsOrderDoesNotMoveTheCursorOffTheFirstRow(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	seed := []fruit{{"1", "apple"}, {"2", "fig"}, {"3", "pear"}}
	own := []fruit{{"2", "fig"}, {"3", "pear"}, {"1", "apple"}}
	l, _ := testList(&now)
	l.Seed(seed)
	l.Loaded(own, nil)
	if got, _ := l.Table.selectedKey(); got != "2" {
		t.Fatalf("untouched: the cursor is on %q, want the first row (fig)", got)
	}
	l, _ = testList(&now)
	l.Seed(seed)
	l.Table.Move(2)
	l.Loaded(own, nil)
	if got, _ := l.Table.selectedKey(); got != "3" {
		t.Fatalf("moved to pear: the cursor is on %q", got)
	}
	// A reload of the list's own keeps the item, wherever it moved.
	l.Table.Move(-1)
	l.Loaded([]fruit{{"1", "apple"}, {"3", "pear"}, {"2", "fig"}}, nil)
	if got, _ := l.Table.selectedKey(); got != "2" {
		t.Fatalf("a reload moved the cursor off fig to %q", got)
	}
}
