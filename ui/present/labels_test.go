package present

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

func TestLabels(t *testing.T) {
	cases := []struct{ name, got, want string }{
		{"first line with emoji", FirstLine("  :rocket: ship it\nsecond line"), "🚀 ship it"},
		{"first line cleaned", FirstLine("fix\x1b[2J\u202Ebug"), "fixbug"},
		{"author: the creator", BuildAuthor(model.Build{Creator: &model.User{Name: "Priya"}, Source: "ui"}), "Priya"},
		{"author: the source without a creator", BuildAuthor(model.Build{Source: "schedule"}), "schedule"},
		{"facts wrap between facts", strings.Join(WrapFacts([]string{"branch main", "commit abc", "by Priya"}, 24), "|"), "branch main · commit abc|by Priya"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestTimesAsCells(t *testing.T) {
	cases := []struct {
		name      string
		got, want Cell
	}{
		{"no time", TimeField(now, nil), nil},
		{"a time and its age", TimeField(now, at(-2*time.Hour)), Text("2026-06-01 10:00 UTC").And(Muted, " (2h ago)")},
		{"never expires", Expiry(now, nil), Text("never")},
		{"expires", Expiry(now, at(72*time.Hour)), Text("2026-06-04 12:00 UTC").And(Muted, " (in 3d)")},
		{"expired", Expiry(now, at(-time.Hour)), As(Danger, "expired 2026-06-01 11:00 UTC").And(Muted, " (1h ago)")},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}
