package component

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// reply runs a load's command as bubbletea would and unwraps the reply
// the root model would route back to the screen.
func reply(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	started, ok := cmd().(common.TaskStarted)
	if !ok {
		t.Fatal("a load is not a task")
	}
	return started.Run().(common.TaskDone).Msg
}

func loadingList(t *testing.T, spec func(*ListSpec[fruit])) (*List[fruit], *common.Common) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	l, c := testList(&now)
	base := common.NewBase(c)
	spec(&l.spec)
	l.Attach(&base)
	return l, c
}

// A list loads itself from its source; a reply to a load a newer one
// replaced is dropped, whichever comes back first.
func TestAListLoadsItselfAndDropsAReplacedLoadsReply(t *testing.T) {
	answer := "old"
	l, _ := loadingList(t, func(s *ListSpec[fruit]) {
		s.Load = func(context.Context) ([]fruit, error) { return []fruit{{id: answer, name: answer}}, nil }
	})
	older := reply(t, l.Load(org.Interactive))
	answer = "new"
	newer := reply(t, l.Load(org.Interactive))
	if used, _ := l.Update(newer, 1); !used {
		t.Fatal("the list did not take its own reply")
	}
	if used, _ := l.Update(older, 1); !used {
		t.Fatal("the list did not drop its replaced load's reply")
	}
	if len(l.Items) != 1 || l.Items[0].id != "new" {
		t.Fatalf("the replaced load's reply was shown: %+v", l.Items)
	}
	other, _ := loadingList(t, func(s *ListSpec[fruit]) {})
	if used, _ := other.Update(newer, 1); used {
		t.Fatal("another list took this list's reply")
	}
}

// A 403 naming a scope is a state of a ScopeState list, said in place of
// its rows, without a flash on every refresh.
func TestAMissingScopeIsTheListsState(t *testing.T) {
	l, _ := loadingList(t, func(s *ListSpec[fruit]) {
		s.ScopeState = true
		s.Load = func(context.Context) ([]fruit, error) {
			return nil, &api.Error{StatusCode: http.StatusForbidden, Scope: "read_agents"}
		}
	})
	_, r := l.Update(reply(t, l.Load(org.Interactive)), 1)
	if cmd := r.Cmd; cmd != nil {
		if _, flash := cmd().(common.FlashMsg); flash {
			t.Fatal("a missing scope was flashed")
		}
	}
	if l.Scope() != "read_agents" || !strings.Contains(plain(l.View(100, 8)), "lacks the read_agents scope") {
		t.Fatalf("scope %q, view %q", l.Scope(), plain(l.View(100, 8)))
	}
	if l.Shows() {
		t.Fatal("a list without its scope says it shows its rows")
	}
}

// The OnScreen hook hears of the rows on screen after a load and a
// scroll (the home screen's queue counts); Took hears of each reply.
func TestOnScreenAndTookHooks(t *testing.T) {
	var seen [][]string
	var loads []bool
	took := 0
	items := []fruit{{id: "a", name: "a"}, {id: "b", name: "b"}, {id: "c", name: "c"}, {id: "d", name: "d"}}
	l, _ := loadingList(t, func(s *ListSpec[fruit]) {
		s.Load = func(context.Context) ([]fruit, error) { return items, nil }
		s.Took = func(got []fruit, _ org.Lane) common.Reply { took += len(got); return common.Reply{} }
		s.OnScreen = func(keys []string, loaded bool) tea.Cmd {
			seen, loads = append(seen, keys), append(loads, loaded)
			return nil
		}
	})
	l.SetHeight(2)
	l.Update(reply(t, l.Load(org.Interactive)), 1)
	if took != 4 || len(seen) != 1 || strings.Join(seen[0], ",") != "a,b" || !loads[0] {
		t.Fatalf("after a load: took %d, on screen %v (loaded %v)", took, seen, loads)
	}
	l.View(60, 4) // a table of a header and two rows
	l.Update(tea.KeyPressMsg{Code: 'G', Text: "G"}, 1)
	if len(seen) != 2 || strings.Join(seen[1], ",") != "c,d" || loads[1] {
		t.Fatalf("after a scroll to the end: on screen %v (loaded %v)", seen, loads)
	}
}
