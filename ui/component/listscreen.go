package component

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// ListScreenSpec declares a screen that is one list under a title, with
// perhaps a panel above it: what most screens are (a queue's agents, the
// paused queues, a pipeline's builds). The host loads it, reloads it on
// the timer (in the background lane) and on r (in the fresh lane), and
// shows what the list host shows.
type ListScreenSpec[T any] struct {
	// Crumb is the screen's name in the breadcrumbs; Title heads it.
	Crumb, Title string
	List         ListSpec[T]
	// Load fetches every item at once. It runs off the event loop, under
	// a context that carries the request's lane: it must not touch the
	// screen. Set Load or Pages.
	Load func(ctx context.Context) ([]T, error)
	// Pages fetches the items page by page, for a progressive load: the
	// first load shows each page as it comes; a reload shows the new list
	// when it is complete, so the list never shrinks to a first page.
	Pages func(ctx context.Context, page func([]T)) error
	// Panel, when set, draws lines above the list (a live summary).
	Panel func(width int) []string
	// Update, when set, sees every message the host did not use: a
	// change from org to apply to the list, say.
	Update func(l *List[T], msg tea.Msg) tea.Cmd
	// ManualOnly keeps the timer from reloading it: only r does (a long
	// list that costs many requests).
	ManualOnly bool
}

// ListScreen is the host of a ListScreenSpec.
type ListScreen[T any] struct {
	common.ScreenBase
	spec ListScreenSpec[T]
	List *List[T]
	// gen numbers the loads, so that the pages of a load a newer one
	// replaced are dropped; incoming gathers a reload's pages.
	gen      int
	incoming []T
	// showPages is set for a load that shows its pages as they come: one
	// started while nothing was on show.
	showPages bool
}

type listPage[T any] struct {
	gen   int
	items []T
}

type listLoaded[T any] struct {
	gen   int
	items []T
	err   error
}

// NewListScreen makes the screen; push it with Common.Push.
func NewListScreen[T any](c *common.Common, spec ListScreenSpec[T]) *ListScreen[T] {
	return &ListScreen[T]{ScreenBase: common.NewBase(c), spec: spec, List: NewList(c, spec.List)}
}

func (s *ListScreen[T]) Crumb() string       { return s.spec.Crumb }
func (s *ListScreen[T]) Capturing() bool     { return s.List.Capturing() }
func (s *ListScreen[T]) Help() []key.Binding { return s.List.Help() }
func (s *ListScreen[T]) Init() tea.Cmd       { return s.load(org.Interactive) }

// Reload loads the list again, as a person asked: after a change made
// from the screen.
func (s *ListScreen[T]) Reload() tea.Cmd { return s.load(org.Interactive) }

func (s *ListScreen[T]) load(lane org.Lane) tea.Cmd {
	s.List.StartLoadIn(lane)
	s.gen++
	gen, label := s.gen, "loading "+s.spec.List.Noun
	if s.spec.Pages == nil {
		return s.Run(lane, label, func(ctx context.Context) tea.Msg {
			items, err := s.spec.Load(ctx)
			return listLoaded[T]{gen: gen, items: items, err: err}
		})
	}
	s.incoming, s.showPages = nil, !s.List.Known
	if s.showPages {
		s.List.Items = nil
	}
	return s.Stream(lane, label, func(ctx context.Context, emit func(tea.Msg)) tea.Msg {
		err := s.spec.Pages(ctx, func(items []T) { emit(listPage[T]{gen: gen, items: items}) })
		return listLoaded[T]{gen: gen, err: err}
	})
}

// top is the line the table starts on: under the title and the panel.
func (s *ListScreen[T]) top() int {
	if s.spec.Panel == nil {
		return 1
	}
	return 1 + len(s.spec.Panel(s.C.Width))
}

func (s *ListScreen[T]) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if used, cmd := s.List.Update(msg, s.top()); used {
		return s, cmd
	}
	switch msg := msg.(type) {
	case common.Streamed:
		_, cmd := s.Update(msg.Msg)
		return s, tea.Batch(cmd, msg.Next)
	case listPage[T]:
		switch {
		case msg.gen != s.gen:
		case s.showPages:
			s.List.AppendItems(msg.items)
		default:
			s.incoming = append(s.incoming, msg.items...)
		}
		return s, nil
	case listLoaded[T]:
		if msg.gen != s.gen {
			return s, nil
		}
		items := msg.items
		if s.spec.Pages != nil {
			items = s.incoming
			if s.showPages {
				items = s.List.Items
			}
		}
		return s, s.List.Loaded(items, msg.err)
	case common.RefreshMsg:
		if msg.Auto && s.spec.ManualOnly {
			return s, nil
		}
		return s, s.load(msg.Lane)
	case tea.KeyPressMsg:
		if key.Matches(msg, s.C.Keys.Back) {
			return s, s.C.Post(common.PopMsg{})
		}
	}
	if s.spec.Update != nil {
		return s, s.spec.Update(s.List, msg)
	}
	return s, nil
}

func (s *ListScreen[T]) View() string {
	st := s.C.Styles
	title := st.Title.Render(s.spec.Title)
	switch {
	case s.List.Known && s.showPages && s.List.loading:
		title += st.Muted.Render(fmt.Sprintf("  loading… %d", len(s.List.Items)))
	case s.List.Known:
		title += st.Muted.Render(fmt.Sprintf("  %d", len(s.List.Items)))
		if age, stale := s.List.Stale(); stale {
			title += st.Warning.Render("  refresh failed; showing data from " + age)
		}
	}
	lines := []string{title}
	if s.spec.Panel != nil {
		lines = append(lines, s.spec.Panel(s.C.Width)...)
	}
	return strings.Join(lines, "\n") + "\n" + s.List.View(s.C.Width, s.C.Height-len(lines))
}
