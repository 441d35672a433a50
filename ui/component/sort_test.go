package component

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// rowNames is the NAME cells of the table's rows, top to bottom.
func rowNames(view string) []string {
	var names []string
	for _, line := range strings.Split(plain(view), "\n")[1:] {
		if f := strings.Fields(strings.TrimPrefix(line, "›")); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

// O sorts by the next column shown (numbers as numbers, a declared order
// where the column has one), its title says which way, I turns it, and
// the list's own order comes back after the last column (issue 29, 13).
func TestSortByColumnShowsItsKeyInTheHeader(t *testing.T) {
	now := time.Now()
	l, _ := testList(&now)
	l.Loaded([]fruit{{"10", "pear"}, {"9", "apple"}, {"100", "fig"}}, nil)
	press := func(k string) {
		if used, _ := l.Update(tea.KeyPressMsg{Code: rune(k[0]), Text: k}, 0); !used {
			t.Fatalf("%s was not used", k)
		}
	}
	if got := strings.Join(rowNames(l.View(60, 8)), " "); got != "pear apple fig" {
		t.Fatalf("the list's own order: %s", got)
	}
	press("O")
	view := l.View(60, 8)
	if got := strings.Join(rowNames(view), " "); got != "apple fig pear" || !strings.Contains(plain(view), "NAME↑") {
		t.Fatalf("by name:\n%s", plain(view))
	}
	press("I")
	view = l.View(60, 8)
	if got := strings.Join(rowNames(view), " "); got != "pear fig apple" || !strings.Contains(plain(view), "NAME↓") {
		t.Fatalf("by name, reversed:\n%s", plain(view))
	}
	press("O")
	view = l.View(60, 8)
	if got := strings.Join(rowNames(view), " "); got != "apple pear fig" || !strings.Contains(plain(view), "ID↑") {
		t.Fatalf("by ID, as numbers:\n%s", plain(view))
	}
	press("O")
	view = l.View(60, 8)
	if got := strings.Join(rowNames(view), " "); got != "pear apple fig" || strings.ContainsAny(plain(view), "↑↓") {
		t.Fatalf("back to the list's own order:\n%s", plain(view))
	}
	// A page that arrives while sorted goes where it sorts.
	press("O")
	l.AppendItems([]fruit{{"7", "banana"}})
	if got := strings.Join(rowNames(l.View(60, 8)), " "); got != "apple banana fig pear" {
		t.Fatalf("a page appended while sorted: %s", got)
	}
	keys := l.MoreHelp()
	if len(keys) < 2 || keys[0].Help().Key != "O" || keys[1].Help().Key != "I" {
		t.Errorf("the help does not list the sort keys: %v", keys)
	}
}

// The width left after the declared widths goes first to the cells that
// are cut, the least cut first: a short ID is whole before a long name
// takes more, and a wide table cuts neither (issue 29, 10).
func TestSpareWidthGoesToWhatIsCutLeastCutFirst(t *testing.T) {
	now := time.Now()
	l, _ := testList(&now)
	l.Loaded([]fruit{{"123456", "a rather long fruit name"}}, nil)
	view := plain(l.View(40, 5))
	if !strings.Contains(view, "123456") {
		t.Errorf("at 40 columns the ID is cut while the name takes the width:\n%s", view)
	}
	view = plain(l.View(80, 5))
	if !strings.Contains(view, "a rather long fruit name") || !strings.Contains(view, "123456") {
		t.Errorf("at 80 columns something is cut:\n%s", view)
	}
}

// huh marks a refused value with " *", which beside an optional field
// reads as "required": the forms mark it with a cross (issue 29, 11).
func TestFormsMarkARefusedValueWithACross(t *testing.T) {
	for _, dark := range []bool{true, false} {
		st := formTheme.Theme(dark)
		if got := plain(st.Focused.ErrorIndicator.String()); got != " ✗" {
			t.Errorf("dark=%v: a refused value is marked %q", dark, got)
		}
	}
}
