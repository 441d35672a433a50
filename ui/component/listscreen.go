package component

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// ListScreenSpec declares a screen that is one list under a title, with
// perhaps a panel above it: what most screens are (the clusters, a
// queue's agents, the paused queues, a pipeline's builds). The host loads
// it, reloads it on the timer (in the background lane) and on r (in the
// fresh lane), and shows what the list host shows.
type ListScreenSpec[T any] struct {
	// Crumb is the screen's name in the breadcrumbs; Title heads it.
	Crumb, Title string
	List         ListSpec[T]
	// Load or Pages is the list's source (ListSpec.Load, ListSpec.Pages),
	// when not set there.
	Load  func(ctx context.Context) ([]T, error)
	Pages func(ctx context.Context, page func([]T)) error
	// Panel, when set, draws lines above the list (a live summary).
	Panel func(width int) []string
	// Update, when set, sees every message the host did not use, and
	// each refresh before the host reloads: a change from org to apply
	// to the list, say.
	Update func(l *List[T], msg tea.Msg) common.Reply
	// ManualOnly keeps the timer from reloading it: only r does (a long
	// list that costs many requests).
	ManualOnly bool
	// AutoEvery, when set, has the timer reload the list only in the
	// first refresh of each block of that many ticks (a read that costs
	// more than a screen's share of the budget at every tick); the title
	// then says how old the list is.
	AutoEvery func() int64
	// LoadingTitle has the title say "loading…" until the first reply.
	LoadingTitle bool

	// For a list over state another part loads for every screen (org's
	// pipelines; ListSpec.Shared):
	//
	// Made is the list, made already (other screens show it too), in
	// place of one made from List.
	Made *List[T]
	// Start, when set, starts the screen in place of the list's load.
	Start func() tea.Cmd
	// Heading, when set, draws the title line in place of Title and the
	// list's status: a shared list says its own progress.
	Heading func() string
	// Used, when set, is told of each message the list used (a key, the
	// wheel): what follows a move or a filter (the next page, a search).
	Used func(l *List[T], msg tea.Msg) tea.Cmd
}

// ListScreen is the host of a ListScreenSpec.
type ListScreen[T any] struct {
	common.ScreenBase
	spec ListScreenSpec[T]
	List *List[T]
	// lastTick is the timer's last refresh, for AutoEvery.
	lastTick int64
}

// NewListScreen makes the screen; push it with Common.Push.
func NewListScreen[T any](c *common.Common, spec ListScreenSpec[T]) *ListScreen[T] {
	if spec.List.Load == nil && spec.List.Pages == nil {
		spec.List.Load, spec.List.Pages = spec.Load, spec.Pages
	}
	l := spec.Made
	if l == nil {
		l = NewList(c, spec.List)
	}
	s := &ListScreen[T]{ScreenBase: common.NewBase(c), spec: spec, List: l}
	s.List.Attach(&s.ScreenBase)
	return s
}

func (s *ListScreen[T]) Crumb() string           { return s.spec.Crumb }
func (s *ListScreen[T]) Capturing() bool         { return s.List.Capturing() }
func (s *ListScreen[T]) Help() []key.Binding     { return s.List.Help() }
func (s *ListScreen[T]) Legend() []string        { return s.List.Legend() }
func (s *ListScreen[T]) MoreHelp() []key.Binding { return s.List.MoreHelp() }

func (s *ListScreen[T]) Init() tea.Cmd {
	if s.spec.Start != nil {
		return s.spec.Start()
	}
	return s.load(org.Interactive)
}

// KeyAction is the action a key of the list takes (common.KeyActions).
func (s *ListScreen[T]) KeyAction(b key.Binding) (api.Action, bool) { return s.List.KeyAction(b) }

// Reload loads the list again, as a person asked: after a change made
// from the screen.
func (s *ListScreen[T]) Reload() tea.Cmd { return s.load(org.Interactive) }

func (s *ListScreen[T]) load(lane org.Lane) tea.Cmd {
	s.List.SetHeight(s.bodyHeight())
	return s.List.Load(lane)
}

// top is the line the table starts on: under the title and the panel.
func (s *ListScreen[T]) top() int {
	if s.spec.Panel == nil {
		return 1
	}
	return 1 + len(s.spec.Panel(s.C.Width))
}

// bodyHeight is how many rows the screen shows under the table's header.
func (s *ListScreen[T]) bodyHeight() int { return s.C.Height - s.top() - 1 }

func (s *ListScreen[T]) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if used, r := s.List.Update(msg, s.top()); used {
		if s.spec.Used != nil {
			r = r.With(s.spec.Used(s.List, msg))
		}
		return common.Answer(s, r)
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.List.SetHeight(s.bodyHeight())
		return common.Answer(s, s.hook(msg).With(s.List.onScreen(false)))
	case common.RefreshMsg:
		if msg.Auto && s.spec.ManualOnly {
			return s, nil
		}
		if msg.Auto && !msg.Changed && s.spec.AutoEvery != nil {
			// A block, not tick%every == 0: a slowed pace skips ticks.
			every := max(1, s.spec.AutoEvery())
			crossed := s.lastTick != 0 && msg.Tick/every != s.lastTick/every
			s.lastTick = msg.Tick
			if !crossed {
				return common.Answer(s, s.hook(msg))
			}
		}
		return common.Answer(s, s.hook(msg).With(s.load(msg.Lane)))
	case tea.KeyPressMsg:
		if key.Matches(msg, s.C.Keys.Back) {
			return common.Asking(s, common.PopMsg{}), nil
		}
	}
	return common.Answer(s, s.hook(msg))
}

func (s *ListScreen[T]) hook(msg tea.Msg) common.Reply {
	if s.spec.Update == nil {
		return common.Reply{}
	}
	return s.spec.Update(s.List, msg)
}

func (s *ListScreen[T]) View() string {
	heading := s.C.Styles.Title.Render(s.spec.Title) + s.List.Status(s.spec.LoadingTitle)
	if age, ok := s.List.ReadAgo(); ok && s.spec.AutoEvery != nil {
		heading += s.C.Styles.Muted.Render("  read " + age)
	}
	if s.spec.Heading != nil {
		heading = s.spec.Heading()
	}
	lines := []string{heading}
	if s.spec.Panel != nil {
		lines = append(lines, s.spec.Panel(s.C.Width)...)
	}
	return strings.Join(lines, "\n") + "\n" + s.List.View(s.C.Width, s.C.Height-len(lines))
}
