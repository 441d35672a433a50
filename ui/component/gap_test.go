package component

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/theme"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// A list loaded in parts (its head and its tail) shows a row for what is
// between: before the tail's first item, counted out of the list's size,
// untouched by the filter and by keys that act on an item; the cursor
// can rest on it, and ToGap says where it is.
func TestAGapRowStandsForTheItemsNotLoaded(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	c := &common.Common{Area: &common.Area{Styles: theme.New(true), Width: 60, Height: 12}, Keys: keymap.Default(), Now: func() time.Time { return now },
		AppCtx: context.Background(), Tasks: &common.Tasks{Label: map[int]string{}}}
	gap, opened := true, ""
	l := NewList(c, ListSpec[fruit]{
		Noun: "fruit", Empty: "no fruit yet",
		Columns: []ListColumn[fruit]{Col("NAME", 10, 1, 0, func(f fruit) string { return f.name })},
		Key:     func(f fruit) string { return f.id },
		Match:   func(f fruit) (string, int) { return f.name, len(f.name) },
		Keys: []ListKey[fruit]{OnItem(c.Keys.Open, func(f fruit) tea.Cmd {
			opened = f.name
			return nil
		})},
		Gap: func() (GapRow, bool) {
			return GapRow{Before: "8", Text: "⋯ 90 fruit not loaded yet", Missing: 90}, gap
		},
	})
	l.SetItems([]fruit{{"1", "apple"}, {"2", "pear"}, {"8", "quince"}, {"9", "sloe"}})
	var lines []string
	for _, line := range strings.Split(plain(l.View(60, 12)), "\n") {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	if view := strings.Join(lines, "\n"); !strings.Contains(view, "  pear\n  ⋯ 90 fruit not loaded yet\n  quince") {
		t.Fatalf("no gap row between pear and quince:\n%s", view)
	}
	if l.Count() != 4 {
		t.Fatalf("count %d with a gap row, want the 4 items", l.Count())
	}
	if n, ok := l.ToGap(); !ok || n != 2 {
		t.Fatalf("the gap is %d rows below the cursor (%v), want 2", n, ok)
	}
	// On the gap row, enter opens nothing.
	l.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}, 1)
	l.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}, 1)
	if n, _ := l.ToGap(); n != 0 {
		t.Fatalf("two rows down, the gap is %d rows away", n)
	}
	l.Update(tea.KeyPressMsg{Code: tea.KeyEnter}, 1)
	if opened != "" {
		t.Fatalf("enter on the gap row opened %q", opened)
	}
	if k, ok := l.Neighbour(1); !ok || k != "8" {
		t.Fatalf("the row below the gap is %q (%v)", k, ok)
	}
	// A filter does not match it, even by its own words.
	l.Update(tea.KeyPressMsg{Code: '/', Text: "/"}, 1)
	for _, r := range "fruit" {
		l.Update(tea.KeyPressMsg{Code: r, Text: string(r)}, 1)
	}
	if _, ok := l.ToGap(); ok || strings.Contains(plain(l.View(60, 12)), "not loaded") {
		t.Fatal("the filter matched the gap row")
	}
	l.Update(tea.KeyPressMsg{Code: tea.KeyEscape}, 1)
	// The gap closed: no row for it.
	gap = false
	l.Rebuild()
	if strings.Contains(plain(l.View(60, 12)), "not loaded") || l.Count() != 4 {
		t.Fatal("a closed gap still shows")
	}
}

// The line under a long list numbers its rows in the whole list: the rows
// after a gap row are numbered past the items it stands for, and the
// total counts them, as the title does (it once counted the gap row as
// one row: "21–26 of 26" for a list of 115).
func TestTheRowsAfterAGapAreNumberedInTheWholeList(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	about := false
	c := &common.Common{Area: &common.Area{Styles: theme.New(true), Width: 60, Height: 8}, Keys: keymap.Default(), Now: func() time.Time { return now },
		AppCtx: context.Background(), Tasks: &common.Tasks{Label: map[int]string{}}}
	l := NewList(c, ListSpec[fruit]{
		Noun: "fruit", Empty: "no fruit yet",
		Columns: []ListColumn[fruit]{Col("NAME", 10, 1, 0, func(f fruit) string { return f.name })},
		Key:     func(f fruit) string { return f.id },
		Match:   func(f fruit) (string, int) { return f.name, len(f.name) },
		Gap: func() (GapRow, bool) {
			return GapRow{Before: "t1", Text: "⋯ 90 fruit not loaded yet", Missing: 90, About: about}, true
		},
	})
	var items []fruit
	for i := range 20 {
		items = append(items, fruit{fmt.Sprint("h", i), fmt.Sprint("head ", i)})
	}
	for i := range 5 {
		items = append(items, fruit{fmt.Sprint("t", i), fmt.Sprint("tail ", i)})
	}
	l.SetItems(items)
	line := func() string {
		t.Helper()
		lines := strings.Split(strings.TrimRight(plain(l.View(60, 8)), "\n "), "\n")
		return strings.TrimSpace(lines[len(lines)-1])
	}
	if got := line(); !strings.HasPrefix(got, "1–") || !strings.Contains(got, " of 115 · ↓ ") {
		t.Fatalf("at the top: %q", got)
	}
	// To the end: the tail's last row is the list's 115th.
	for range 30 {
		l.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}, 1)
	}
	got := line()
	if !strings.HasSuffix(strings.Split(got, " · ")[0], "–115 of 115") || strings.Contains(got, "below") {
		t.Fatalf("at the end: %q", got)
	}
	var first int
	if _, err := fmt.Sscanf(got, "%d–", &first); err != nil || !strings.Contains(got, fmt.Sprintf("↑ %d above", first-1)) {
		t.Fatalf("at the end, the rows above: %q", got)
	}
	// Items not loaded may be ones the list hides: the total is about.
	about = true
	l.Rebuild()
	if got := line(); !strings.Contains(got, "–115 of about 115") {
		t.Fatalf("with hidden items among those not loaded: %q", got)
	}
}
