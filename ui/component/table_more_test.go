package component

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A list longer than its height says so on its last line, and how many
// rows are above once scrolled; the row the cursor is on keeps its cursor
// when it is marked.
func TestListSaysWhatIsBelowAndKeepsTheCursorOnAMarkedRow(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	l, _ := testList(&now)
	var items []fruit
	for i := range 20 {
		items = append(items, fruit{id: fmt.Sprint(i), name: fmt.Sprintf("fruit-%02d", i)})
	}
	l.SetItems(items)
	got := plain(l.View(60, 8))
	lines := strings.Split(got, "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8:\n%s", len(lines), got)
	}
	if last := lines[7]; !strings.Contains(last, "1–6 of 20") || !strings.Contains(last, "↓ 14 more below") {
		t.Fatalf("the last line does not say what is below: %q", last)
	}
	l.Table.Move(10)
	got = plain(l.View(60, 8))
	if !strings.Contains(got, "↑ 5 above") {
		t.Fatalf("scrolled, the list does not say what is above:\n%s", got)
	}
	// Short lists have no such line.
	l.SetItems(items[:3])
	if got := plain(l.View(60, 8)); strings.Contains(got, "more below") || strings.Contains(got, "of 3") {
		t.Fatalf("a list that fits says it goes on:\n%s", got)
	}
	// Mark the selected row: the cursor still shows.
	l.Table.Move(-10)
	l.spec.ToggleMark(items[0])
	l.Rebuild()
	if got := plain(l.View(60, 8)); !strings.Contains(got, "●›fruit-00") {
		t.Fatalf("a marked, selected row hides its cursor:\n%s", got)
	}
}
