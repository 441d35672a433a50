package component

import (
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/theme"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// A cell is plain text with a role: the table cleans every cell and the
// filter text once, so a column that hands it an API string untouched
// cannot drive the terminal (issue 26).
func TestTheTableCleansEveryCell(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	l, _ := testList(&now)
	hostile := "evil\x1b]52;c;aGk=\x07\u202Egnp\x1b[2J\x1b[31m"
	l.SetItems([]fruit{{id: "1\x1b[5m", name: hostile}})
	got := l.View(60, 8)
	for _, bad := range []string{"\x1b]", "\x07", "\u202E", "\x1b[2J", "\x1b[5m", "\x1b[31m"} {
		if strings.Contains(got, bad) {
			t.Errorf("the table drew %q: %q", bad, got)
		}
	}
	if !strings.Contains(plain(got), "evilgnp") {
		t.Errorf("the cleaned name is not shown: %q", plain(got))
	}
	if text := l.Table.Rows[0].match; text != "evilgnp" {
		t.Errorf("the filter searches %q, not the cleaned name", text)
	}
}

// Each span of a cell is styled by its role and cleaned apart.
func TestDrawStylesByRole(t *testing.T) {
	st := theme.New(true)
	cell := present.Text("main\u202E").And(present.Muted, " ★").And(present.Swatch, "not a colour").And(present.Emoji, ":rocket:")
	want := "main" + st.Muted.Render(" ★") + st.Muted.Render("□") + "🚀"
	if got := Draw(st, cell); got != want {
		t.Errorf("Draw = %q, want %q", got, want)
	}
	if got := Draw(st, present.As(present.Paused, "‖ paused")); got != st.Paused.Render("‖ paused") {
		t.Errorf("a paused span is drawn %q", got)
	}
}
