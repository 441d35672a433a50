package component

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// The list host: a screen declares what a list shows (ListSpec) and the
// host does the rest, the same way for every list: the placeholder while
// it loads, the error with "r tries again", the age of what is shown when
// a refresh failed, the filter, the cursor, marks, the mouse and
// scrolling, and the screen's keys with their help. Like k9s's browser
// with a renderer per resource; forms work this way too (FormSpec).

// ListColumn is a column with the cell it draws, declared side by side.
// A cell is plain text with style roles: the host cleans and styles it.
type ListColumn[T any] struct {
	column
	cell func(T) present.Cell
	// order compares two items for a sort by this column; nil compares
	// the cells' text, numbers as numbers.
	order func(a, b T) int
}

// Sort declares how the column orders its items (O sorts by it): by a
// count rather than its cell's text, say.
func (c ListColumn[T]) Sort(order func(a, b T) int) ListColumn[T] { c.order = order; return c }

// Col declares a column: its title, its width, how much of the spare
// width it takes (flex), the narrowest table that shows it (minTable, 0
// for always) and its cell.
// A cell is a present.Cell, or a string for plain text.
func Col[T any, C string | present.Cell](title string, width, flex, minTable int, cell func(T) C) ListColumn[T] {
	draw := func(it T) present.Cell {
		switch c := any(cell(it)).(type) {
		case string:
			return present.Text(c)
		case present.Cell:
			return c
		}
		return nil
	}
	return ListColumn[T]{column: column{title: title, width: width, flex: flex, minTable: minTable}, cell: draw}
}

// ListKey is a key of a list screen, in the order of its help line.
// run is given the selected item; a key with needsItem does nothing
// without one. A key with no run is only shown: the host (filter, mark)
// or the root model (refresh, back) acts on it. hidden keys act without
// showing in the help line.
type ListKey[T any] struct {
	binding   key.Binding
	action    api.Action
	needsItem bool
	hidden    bool
	run       func(item T, ok bool) common.Reply
}

// KeyAnswer is what a list's key answers: a command, or a common.Reply
// when it also asks the root model for something (opens a screen, a
// dialog, the pause's prompt), which is then done before the next key.
type KeyAnswer interface{ tea.Cmd | common.Reply }

func keyReply[R KeyAnswer](r R) common.Reply {
	switch r := any(r).(type) {
	case common.Reply:
		return r
	case tea.Cmd:
		return common.Reply{Cmd: r}
	}
	return common.Reply{}
}

// OnItem is a key that acts on the selected item.
func OnItem[T any, R KeyAnswer](b key.Binding, run func(T) R) ListKey[T] {
	return ListKey[T]{binding: b, needsItem: true, run: func(item T, _ bool) common.Reply { return keyReply(run(item)) }}
}

// OnList is a key that acts whether or not an item is selected.
func OnList[T any, R KeyAnswer](b key.Binding, run func() R) ListKey[T] {
	return ListKey[T]{binding: b, run: func(T, bool) common.Reply { return keyReply(run()) }}
}

// Shown is a key only shown in the help: another part acts on it.
func Shown[T any](b key.Binding) ListKey[T] { return ListKey[T]{binding: b} }

// Hide keeps a key out of the help line.
func (k ListKey[T]) Hide() ListKey[T] { k.hidden = true; return k }

// Needs says which action the key takes on this list, so that the help
// strikes it through when the token lacks that action's scope.
func (k ListKey[T]) Needs(a api.Action) ListKey[T] { k.action = a; return k }

// ListSpec declares a list.
type ListSpec[T any] struct {
	// Noun names the items in placeholders and errors: "queues".
	Noun string
	// Empty is what an empty list says.
	Empty   string
	Columns []ListColumn[T]
	// FilterCol is the column drawn from the filter's text, so that the
	// characters a filter matched can be picked out.
	FilterCol int
	// Key is the item's identity: the cursor stays on it across reloads.
	Key func(T) string
	// Match is what the filter searches; its first primary bytes are the
	// filter column's text. The host cleans both parts before searching
	// or drawing them.
	Match func(T) (text string, primary int)
	// Marked and ToggleMark, when set, make rows markable with the mark
	// key (space); dim, when set, draws some rows muted. ToggleMark's
	// reply may ask the root model to apply the mark (org.MarkToggled).
	Marked     func(T) bool
	ToggleMark func(T) common.Reply
	Dim        func(T) bool
	Keys       []ListKey[T]
	// Link, when set, gives o, y and Y: what the item is called, its web
	// page and its ID.
	Link func(T) (what, webURL, id string)

	// The list's source, for a list that loads itself (List.Load) once
	// its screen has attached it (List.Attach): Load fetches every item
	// at once, Pages page by page. They run off the event loop, under a
	// context that carries the request's lane: they must not touch the
	// screen.
	Load  func(ctx context.Context) ([]T, error)
	Pages func(ctx context.Context, page func([]T)) error
	// Fetch is Load for a reply that is more than the list: take, run on
	// the event loop when the reply is shown, makes the items of it (and
	// may keep what else the screen reads of it: a queue's load).
	Fetch func(ctx context.Context) (take func() []T, err error)
	// Took, when set, is told of each reply the list shows (whole, or
	// partial with its note), with the lane it was loaded in: for what a
	// screen derives from the list (the organisation's state, a count);
	// its reply may ask the root model to apply it (org.QueuesSeen).
	Took func(items []T, lane org.Lane) common.Reply
	// OnScreen, when set, is given the keys of the rows on screen after
	// a load (loaded), a scroll or a resize: a list that fetches
	// something per row fetches it for these, and only these.
	OnScreen func(keys []string, loaded bool) tea.Cmd
	// Shared, when set, is the state of a list whose items another part
	// loads for every screen (org's pipelines): whether they are known,
	// the last load's error, and what it could not read (PartialNote).
	Shared func() (known bool, err, skipped error)
	// Legend, when set, says what the columns and their signs mean
	// ("AGENTS busy/connected"): the help shows it.
	Legend []string
	// ScopeState makes a 403 that names the scope the token lacks a
	// state of the list, said in place of its rows, rather than an
	// error: a tab the rest of a screen does without.
	ScopeState bool
	// Gap, when set, says where a list loaded in parts lacks items: a
	// row saying text stands for them before the item keyed before (the
	// items between the head and the tail of a long list), or at the end
	// while the rows are sorted (GapRow). The cursor can rest on it; no
	// key acts on it, and no filter matches it.
	Gap func() (GapRow, bool)
}

// GapRow is the row that stands for a list's items not loaded
// (ListSpec.Gap).
type GapRow struct {
	// Before is the key of the item the row goes before; Text is what it
	// says.
	Before, Text string
	// Missing is how many items it stands for: the table's position line
	// numbers the rows after it past them, and counts them in its total.
	Missing int
	// About says the total is not exact: some items not loaded may be
	// ones the list would not show (a hidden archived pipeline).
	About bool
}

// List is the host: one list with its table and the state of its load.
type List[T any] struct {
	c     *common.Common
	spec  ListSpec[T]
	Table *Table
	Items []T
	// Known is set once items holds what the server sent, not a guess.
	Known bool
	// seeded is set while the items are another screen's (Seed).
	seeded   bool
	loading  bool
	Err      error
	loadedAt time.Time
	// Note, when set, says what the list on show lacks: items the API
	// sent that could not be read, or pages that could not be followed.
	// The list is shown with it, above the table.
	Note string
	// asked is set while a load a person asked for (r) is on its way.
	asked bool
	// noteLines is how many lines the note took when last drawn, for
	// clicks on the rows below it.
	noteLines int

	// run starts the list's own loads, as its screen's requests.
	run *common.ScreenBase
	// gen numbers the loads, so that the pages and reply of a load a
	// newer one replaced are dropped; incoming gathers a reload's pages.
	gen      int
	incoming []T
	// showPages is set for a load that shows its pages as they come: one
	// started while nothing was on show.
	showPages bool
	// deferred is set when the budget put off the last load.
	deferred bool
	// height is the screen's height for OnScreen before the table is
	// drawn.
	height int
	// sortCol is the column the rows are sorted by (-1: the list's own
	// order), sortDesc turns it.
	sortCol  int
	sortDesc bool
	// gapped is set when the rows hold a gap row (ListSpec.Gap).
	gapped bool
}

type listPage[T any] struct {
	list  *List[T]
	gen   int
	items []T
}

type listLoaded[T any] struct {
	list  *List[T]
	gen   int
	items []T
	take  func() []T
	err   error
	lane  org.Lane
	// behind is a load a person does not look at: its end says nothing.
	behind bool
}

// PartialNote tells a list's reply that still holds a list to show from a
// failure: a SkippedError (items that could not be read: "1 pipeline
// could not be read: …") or api.ErrPagination (the pages read before the
// client stopped following them). one names one item: "pipeline".
func PartialNote(err error, one string) (string, bool) {
	if skipped, ok := api.Partial(err); ok {
		return common.Clean(skipped.Describe(one)), true
	}
	if errors.Is(err, api.ErrPagination) {
		return "showing only what was read: " + common.ErrorText(err), true
	}
	return "", false
}

// Usable reports whether a list's reply holds the list to show: no
// error, or only items or pages that were skipped (PartialNote).
func Usable(err error) bool {
	_, partial := PartialNote(err, "")
	return err == nil || partial
}

// one is the list's noun for one item: "queue" for "queues".
func (l *List[T]) one() string { return strings.TrimSuffix(l.spec.Noun, "s") }

func NewList[T any](c *common.Common, spec ListSpec[T]) *List[T] {
	cols := make([]column, len(spec.Columns))
	for i, lc := range spec.Columns {
		cols[i] = lc.column
	}
	return &List[T]{c: c, spec: spec, Table: newTable(c, cols, spec.FilterCol, spec.Empty), sortCol: -1}
}

// Attach makes the list load itself as b's requests: its replies reach
// the screen of b, which hands them to the list's Update.
func (l *List[T]) Attach(b *common.ScreenBase) { l.run = b }

// SetSource changes the list's source for the loads from now on: one
// with the filter a person just chose.
func (l *List[T]) SetSource(load func(ctx context.Context) ([]T, error)) {
	l.spec.Load, l.spec.Pages, l.spec.Fetch = load, nil, nil
}

// Load loads the list from its source in lane; r's answer (org.Fresh)
// says when it is done.
func (l *List[T]) Load(lane org.Lane) tea.Cmd { return l.load(lane, false) }

// LoadBehind loads the list as Load does, for a list not on show (a tab
// behind another): its end says nothing.
func (l *List[T]) LoadBehind(lane org.Lane) tea.Cmd { return l.load(lane, true) }

func (l *List[T]) load(lane org.Lane, behind bool) tea.Cmd {
	if l.run == nil || (l.spec.Load == nil && l.spec.Pages == nil && l.spec.Fetch == nil) {
		return nil
	}
	if behind {
		l.StartLoad()
	} else {
		l.StartLoadIn(lane)
	}
	l.gen++
	gen, label := l.gen, "loading "+l.spec.Noun
	if fetch := l.spec.Fetch; fetch != nil {
		return l.run.Run(lane, label, func(ctx context.Context) tea.Msg {
			take, err := fetch(ctx)
			return listLoaded[T]{list: l, gen: gen, take: take, err: err, lane: lane, behind: behind}
		})
	}
	if l.spec.Pages == nil {
		load := l.spec.Load
		return l.run.Run(lane, label, func(ctx context.Context) tea.Msg {
			items, err := load(ctx)
			return listLoaded[T]{list: l, gen: gen, items: items, err: err, lane: lane, behind: behind}
		})
	}
	l.incoming, l.showPages = nil, !l.Known
	if l.showPages {
		l.Items = nil
	}
	pages := l.spec.Pages
	return l.run.Stream(lane, label, func(ctx context.Context, emit func(tea.Msg)) tea.Msg {
		err := pages(ctx, func(items []T) { emit(listPage[T]{list: l, gen: gen, items: items}) })
		return listLoaded[T]{list: l, gen: gen, err: err, lane: lane, behind: behind}
	})
}

// Take takes in the list's own load replies and pages, and nothing else:
// a screen offers them to the lists of its tabs not on show.
func (l *List[T]) Take(msg tea.Msg) (bool, common.Reply) { return l.take(msg) }

func (l *List[T]) take(msg tea.Msg) (bool, common.Reply) {
	switch msg := msg.(type) {
	case common.Streamed:
		if used, r := l.take(msg.Msg); used {
			return true, r.With(msg.Next)
		}
	case listPage[T]:
		if msg.list != l {
			return false, common.Reply{}
		}
		switch {
		case msg.gen != l.gen:
		case l.showPages:
			l.AppendItems(msg.items)
		default:
			l.incoming = append(l.incoming, msg.items...)
		}
		return true, common.Reply{}
	case listLoaded[T]:
		if msg.list != l {
			return false, common.Reply{}
		}
		if msg.gen != l.gen {
			return true, common.Reply{}
		}
		items := msg.items
		if msg.take != nil && Usable(msg.err) && !common.Deferred(msg.err) {
			items = msg.take()
		}
		if l.spec.Pages != nil {
			items = l.incoming
			if l.showPages {
				items = l.Items
			}
		}
		if msg.behind {
			l.asked = false
		}
		cmd := l.Loaded(items, msg.err)
		if common.Deferred(msg.err) || !Usable(msg.err) {
			return true, common.Do(cmd)
		}
		var took common.Reply
		if l.spec.Took != nil {
			took = l.spec.Took(items, msg.lane)
		}
		return true, took.With(cmd, l.onScreen(true))
	}
	return false, common.Reply{}
}

// onScreen calls the OnScreen hook with the rows on screen.
func (l *List[T]) onScreen(loaded bool) tea.Cmd {
	if l.spec.OnScreen == nil {
		return nil
	}
	return l.spec.OnScreen(l.OnScreen(l.height), loaded)
}

// SetHeight is the height the list's screen gives it before it is
// drawn: the rows OnScreen counts on.
func (l *List[T]) SetHeight(rows int) { l.height = rows }

// Paging reports a load that shows its pages as they come.
func (l *List[T]) Paging() bool { return l.Known && l.showPages && l.loading }

// StartLoad says a load is on its way.
func (l *List[T]) StartLoad() { l.loading = true }

// StartLoadIn says a load is on its way in lane: one a person asked for
// with r (org.Fresh) says when it is done, so r never seems to do
// nothing (issue 17, 17).
func (l *List[T]) StartLoadIn(lane org.Lane) {
	l.loading = true
	l.asked = l.asked || lane == org.Fresh
}

// Answered is what the end of a load says: after a person's r, that the
// list was refreshed and how many it holds; otherwise nothing.
func (l *List[T]) Answered() tea.Cmd {
	if !l.asked {
		return nil
	}
	l.asked = false
	return common.Flash(common.FlashOK, "refreshed: "+common.Plural(len(l.Items), l.one(), l.spec.Noun))
}

// Loaded takes in the reply to a load: the items, or an error that is
// kept (and said in a flash) while what was shown stays on. A background
// refresh the budget put off changes nothing and says nothing.
func (l *List[T]) Loaded(items []T, err error) tea.Cmd {
	l.loading = false
	l.deferred = common.Deferred(err)
	if l.deferred {
		return nil
	}
	if l.spec.ScopeState && present.ScopeMissing(err) != "" {
		// Not an error to flash on every refresh: a state, said in place
		// of the rows, that lasts until a load gets through.
		l.SetItems(nil)
		l.Err, l.asked = err, false
		return nil
	}
	if note, ok := PartialNote(err, l.one()); ok {
		// The items that were read are the list: shown, with what is
		// missing said above them (and once in a flash, which the
		// message history keeps whole).
		l.SetItems(items)
		said := note == l.Note
		l.Note = note
		if said {
			return l.Answered()
		}
		l.asked = false
		return common.Flash(common.FlashInfo, note)
	}
	if err != nil {
		l.Err, l.asked = err, false
		return common.Flash(common.FlashError, "could not load "+l.spec.Noun+": "+common.ErrorText(err))
	}
	l.SetItems(items)
	l.Note = ""
	return l.Answered()
}

// SetItems shows items as the server's current list.
func (l *List[T]) SetItems(items []T) {
	// A seed is in another screen's order (the home screen's count reads
	// queues by key; the cluster's own list comes in the API's order).
	// A cursor the person left on the seed's first row stays on the first
	// row, not on the item the seed happened to put there.
	top := l.seeded && l.Table.cursor == 0
	l.seeded = false
	l.Items, l.Known, l.Err, l.loadedAt = items, true, nil, l.c.Now()
	l.Rebuild()
	if top {
		l.Table.cursor = 0
		l.Table.scrollToCursor()
	}
}

// Seed shows items another screen listed until the list's own load
// comes: known, with no age of their own.
func (l *List[T]) Seed(items []T) {
	l.Items, l.Known, l.seeded = items, true, true
	l.Rebuild()
}

// Upsert shows a changed item, or a new one with the cursor on it; it
// reports whether the item is new.
func (l *List[T]) Upsert(item T) bool {
	k := l.spec.Key(item)
	var added bool
	l.Items, added = org.Upsert(l.Items, item, func(x T) bool { return l.spec.Key(x) == k })
	l.Rebuild()
	if added {
		l.Table.SelectKey(k)
	}
	return added
}

// Select puts the cursor on item, if it is shown.
func (l *List[T]) Select(item T) { l.Table.SelectKey(l.spec.Key(item)) }

// Remove drops the item with this key.
func (l *List[T]) Remove(k string) {
	for i, x := range l.Items {
		if l.spec.Key(x) == k {
			l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
			break
		}
	}
	l.Rebuild()
}

// Rebuild remakes the rows, keeping the cursor on the same item.
func (l *List[T]) Rebuild() { l.Table.setRows(l.rows(l.Items)) }

// AppendItems adds items at the end as the pages of a progressive load
// arrive, without remaking the rows already there (unless they are
// sorted: a page's items then go where they sort).
func (l *List[T]) AppendItems(items []T) {
	l.Items, l.Known = append(l.Items, items...), true
	if l.sortCol >= 0 || l.gapped || l.gapNow() {
		l.Rebuild()
		return
	}
	l.Table.appendRows(l.rows(items))
}

// gapNow reports that the list lacks items between those it holds: a
// gap row is to be made (ListSpec.Gap).
func (l *List[T]) gapNow() bool {
	if l.spec.Gap == nil {
		return false
	}
	_, ok := l.spec.Gap()
	return ok
}

// rows makes the table's rows; their cells are drawn only when on
// screen, so a list of thousands styles only the rows shown.
func (l *List[T]) rows(items []T) []row {
	items = l.sorted(items)
	rows := make([]row, 0, len(items))
	for _, it := range items {
		text, primary := l.spec.Match(it)
		text, primary = cleanMatch(text, primary)
		r := row{key: l.spec.Key(it), match: text, matchLen: primary,
			draw: func() []string { return l.cells(it) }}
		if l.spec.Marked != nil {
			r.marked = l.spec.Marked(it)
		}
		if l.spec.Dim != nil {
			r.dim = l.spec.Dim(it)
		}
		rows = append(rows, r)
	}
	l.gapped = false
	if l.spec.Gap == nil {
		return rows
	}
	g, ok := l.spec.Gap()
	if !ok {
		return rows
	}
	at := len(rows)
	if l.sortCol < 0 {
		at = slices.IndexFunc(rows, func(r row) bool { return r.key == g.Before })
	}
	if at < 0 {
		return rows
	}
	l.gapped = true
	return slices.Insert(rows, at, row{key: gapKey, gap: true, missing: g.Missing, about: g.About, cells: []string{common.Clean(g.Text)}})
}

func (l *List[T]) cells(it T) []string {
	cells := make([]string, len(l.spec.Columns))
	for i, c := range l.spec.Columns {
		cells[i] = Draw(l.c.Styles, c.cell(it))
	}
	return cells
}

// cleanMatch cleans a row's filter text, its primary part (the filter
// column's text, drawn from it) and the rest apart, so that primary
// still counts the first part's bytes.
func cleanMatch(text string, primary int) (string, int) {
	primary = min(max(primary, 0), len(text))
	head := common.Clean(text[:primary])
	return head + common.Clean(text[primary:]), len(head)
}

// Count is how many items the list holds (before any filter).
func (l *List[T]) Count() int {
	if l.gapped {
		return len(l.Table.Rows) - 1
	}
	return len(l.Table.Rows)
}

// ToGap is how many rows below the cursor the gap row is (ListSpec.Gap):
// negative when it is above, 0 when the cursor is on it; ok is false
// when no gap row shows (none, or a filter hides it).
func (l *List[T]) ToGap() (rows int, ok bool) {
	if !l.gapped {
		return 0, false
	}
	t := l.Table
	for i, r := range t.view {
		if t.Rows[r].gap {
			return i - t.cursor, true
		}
	}
	return 0, false
}

// Neighbour is the key of the row delta rows from the cursor, as shown.
func (l *List[T]) Neighbour(delta int) (string, bool) {
	t := l.Table
	i := t.cursor + delta
	if i < 0 || i >= len(t.view) || t.Rows[t.view[i]].gap {
		return "", false
	}
	return t.Rows[t.view[i]].key, true
}

func (l *List[T]) selected() (T, bool) {
	var zero T
	k, ok := l.Table.selectedKey()
	if !ok {
		return zero, false
	}
	for _, it := range l.Items {
		if l.spec.Key(it) == k {
			return it, true
		}
	}
	return zero, false
}

func (l *List[T]) Capturing() bool { return l.Table.capturing() }

// Help is the list's keys for the help line.
// KeyAction is the action a key of the list takes, when it says
// (common.KeyActions).
func (l *List[T]) KeyAction(b key.Binding) (api.Action, bool) {
	for _, k := range l.spec.Keys {
		if k.action != "" && slices.Equal(k.binding.Keys(), b.Keys()) {
			return k.action, true
		}
	}
	return "", false
}

func (l *List[T]) Help() []key.Binding {
	var out []key.Binding
	for _, k := range l.spec.Keys {
		if !k.hidden {
			out = append(out, k.binding)
		}
	}
	return out
}

// MoreHelp is the keys only the help lists: the sort keys, and o, y
// and Y for a list whose items have a page.
func (l *List[T]) MoreHelp() []key.Binding {
	k := l.c.Keys
	out := []key.Binding{k.Sort, k.Reverse}
	if l.spec.Link != nil {
		out = append(out, k.Browse, k.CopyURL, k.CopyID)
	}
	return out
}

// sortKey handles O (sort by the next column shown with a title, then back to
// the list's own order) and I (reverse); it reports whether msg was one.
func (l *List[T]) sortKey(msg tea.KeyPressMsg) bool {
	k := l.c.Keys
	switch {
	case key.Matches(msg, k.Sort):
		next := -1
		for i := l.sortCol + 1; i < len(l.spec.Columns); i++ {
			// Only a column on show: a sort by one the width hides
			// would look like no order at all.
			if c := l.spec.Columns[i]; c.title != "" && l.Table.width >= c.minTable {
				next = i
				break
			}
		}
		l.sortCol, l.sortDesc = next, false
	case key.Matches(msg, k.Reverse):
		if l.sortCol < 0 {
			// The list's own order, turned: by its first titled column.
			for i, c := range l.spec.Columns {
				if c.title != "" {
					l.sortCol = i
					break
				}
			}
		}
		l.sortDesc = !l.sortDesc
	default:
		return false
	}
	l.Table.sortCol, l.Table.sortDesc = l.sortCol, l.sortDesc
	l.Rebuild()
	return true
}

// sorted is items in the order chosen with O and I: a sorted copy, or
// items themselves in the list's own order.
func (l *List[T]) sorted(items []T) []T {
	if l.sortCol < 0 || l.sortCol >= len(l.spec.Columns) {
		return items
	}
	col := l.spec.Columns[l.sortCol]
	order := col.order
	if order == nil {
		order = func(a, b T) int { return present.CompareText(col.cell(a).String(), col.cell(b).String()) }
	}
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b T) int {
		if l.sortDesc {
			return order(b, a)
		}
		return order(a, b)
	})
	return out
}

// Legend is what the list's columns mean, for the help.
func (l *List[T]) Legend() []string { return l.spec.Legend }

// Update handles what the host does for every list: movement, the
// filter, the mouse wheel, marks and the screen's keys. top is the line
// of the screen's area the table starts on, for clicks. It reports
// whether it used the message.
//
// Its reply carries the requests the list's keys and hooks make of the
// root model: the screen returns them with itself (common.Answer).
func (l *List[T]) Update(msg tea.Msg, top int) (bool, common.Reply) {
	if used, r := l.take(msg); used {
		return true, r
	}
	used, r := l.update(msg, top)
	if used && l.spec.OnScreen != nil {
		// A scroll, a filter or a key may bring rows on screen.
		r = r.With(l.onScreen(false))
	}
	return used, r
}

func (l *List[T]) update(msg tea.Msg, top int) (bool, common.Reply) {
	switch msg := msg.(type) {
	case common.ClickMsg:
		return l.Table.clickRow(msg.Y - top - l.noteLines), common.Reply{}
	case tea.MouseWheelMsg, tea.PasteMsg:
		used, cmd := l.Table.Update(msg)
		return used, common.Do(cmd)
	case common.MarksChanged:
		if l.spec.Marked != nil {
			l.Rebuild()
		}
		return false, common.Reply{}
	case tea.KeyPressMsg:
		if used, cmd := l.Table.Update(msg); used {
			return true, common.Do(cmd)
		}
		return l.key(msg)
	}
	return false, common.Reply{}
}

func (l *List[T]) key(msg tea.KeyPressMsg) (bool, common.Reply) {
	if l.sortKey(msg) {
		return true, common.Reply{}
	}
	item, ok := l.selected()
	if l.spec.ToggleMark != nil && key.Matches(msg, l.c.Keys.Mark) {
		var r common.Reply
		if ok {
			r = l.spec.ToggleMark(item)
			l.Rebuild()
			l.Table.Move(1)
		}
		return true, r
	}
	for _, k := range l.spec.Keys {
		if k.run == nil || !key.Matches(msg, k.binding) || (k.needsItem && !ok) {
			continue
		}
		return true, k.run(item, ok)
	}
	if ok && l.spec.Link != nil {
		what, web, id := l.spec.Link(item)
		cmd, used := l.c.LinkKey(msg, what, web, id)
		return used, common.Do(cmd)
	}
	return false, common.Reply{}
}

// View draws the list in width × height: its table, or while nothing is
// known yet, what is on its way or what went wrong.
func (l *List[T]) View(width, height int) string {
	if l.spec.Shared != nil {
		var skipped error
		l.Known, l.Err, skipped = l.spec.Shared()
		l.Note, _ = PartialNote(skipped, l.one())
	}
	st := l.c.Styles
	if scope := l.Scope(); scope != "" {
		return st.Warning.Render("  The API token lacks the " + scope + " scope: this tab needs it. The rest of the console works without it.")
	}
	if !l.Known {
		if l.Err != nil {
			// Wrapped, not cut: the cause is at the end ("dial tcp …:
			// connection refused").
			return st.FlashError.PaddingLeft(2).Width(max(20, width)).Render("could not load "+l.spec.Noun+": "+common.ErrorText(l.Err)) +
				"\n" + st.Muted.Render("  r tries again")
		}
		if l.deferred && !l.loading {
			return st.Muted.Render("  loading " + l.spec.Noun + "… put off to save the API budget: r loads now")
		}
		if l.loading && l.c.Client != nil {
			// A load waiting for a window of the budget says so, and
			// which, where its rows will be.
			if w := l.c.Client.Budget().WaitText(l.c.Client.Now()); w != "" {
				return st.Muted.Render("  loading "+l.spec.Noun+"… ") + st.Warning.Render(w)
			}
		}
		return st.Muted.Render("  loading " + l.spec.Noun + "…")
	}
	note := l.note(width)
	l.Table.setSize(width, height-l.noteLines)
	return note + l.Table.render()
}

// maxNoteLines bounds the note above a list: the table keeps the screen;
// the note's whole text is also in the flash that said it.
const maxNoteLines = 3

// note draws the Note wrapped to width, at most maxNoteLines lines, and
// records how many it took.
func (l *List[T]) note(width int) string {
	l.noteLines = 0
	if l.Note == "" {
		return ""
	}
	text := lipgloss.NewStyle().Width(max(width-2, 10)).Render(l.Note)
	lines := strings.Split(text, "\n")
	if len(lines) > maxNoteLines {
		lines = lines[:maxNoteLines]
		lines[maxNoteLines-1] = common.Fit(strings.TrimRight(lines[maxNoteLines-1], " ")+"…", max(width-2, 10))
	}
	for i := range lines {
		lines[i] = l.c.Styles.Warning.Render("  " + strings.TrimRight(lines[i], " "))
	}
	l.noteLines = len(lines)
	return strings.Join(lines, "\n") + "\n"
}

// Current reports that the list holds what its last load sent: known,
// and no refresh failed since.
func (l *List[T]) Current() bool { return l.Known && l.Err == nil }

// Scope is the scope the token lacks to read the list, when a
// ScopeState list's last load said so; "" otherwise.
func (l *List[T]) Scope() string {
	if !l.spec.ScopeState {
		return ""
	}
	return present.ScopeMissing(l.Err)
}

// Shows reports that the list shows what the server sent: its rows are
// known and no missing scope hides them.
func (l *List[T]) Shows() bool { return l.Known && l.Scope() == "" }

// Status is what a title says of the list after its name: how many it
// holds ("  12"), how many so far while pages come ("  loading… 7"), and
// its age when its last refresh failed; loading, when set, is said until
// the first reply.
func (l *List[T]) Status(loading bool) string {
	st := l.c.Styles
	switch {
	case l.Paging():
		return st.Muted.Render(fmt.Sprintf("  loading… %d", len(l.Items)))
	case l.Known:
		s := st.Muted.Render(fmt.Sprintf("  %d", len(l.Items)))
		if age, stale := l.Stale(); stale {
			s += st.Warning.Render("  refresh failed; showing data from " + age)
		}
		if l.loading && l.c.Client != nil {
			// A reload waiting for the budget says so; the rows stay usable.
			if w := l.c.Client.Budget().WaitText(l.c.Client.Now()); w != "" {
				s += "  " + st.Warning.Render(w)
			}
		}
		return s
	case loading && l.Err == nil:
		return st.Muted.Render("  loading…")
	}
	return ""
}

// ReadAgo is how long ago the list on show was read, once that is more
// than "just now".
func (l *List[T]) ReadAgo() (string, bool) {
	if !l.Known || l.loadedAt.IsZero() {
		return "", false
	}
	ago := present.Ago(l.c.Now(), l.loadedAt)
	return ago, ago != present.Ago(l.c.Now(), l.c.Now())
}

// Stale is how old the list on show is when its last refresh failed.
func (l *List[T]) Stale() (string, bool) {
	if l.Err == nil || !l.Known || l.loadedAt.IsZero() || l.Scope() != "" {
		return "", false
	}
	return present.Ago(l.c.Now(), l.loadedAt), true
}

// Query is the filter's text, trimmed ("" when none): a list that loads
// by pages asks the server for it too.
func (l *List[T]) Query() string { return l.Table.query() }

// Typed is the filter's text as typed, spaces and all: a key that only
// adds a space between words changes it, not the Query.
func (l *List[T]) Typed() string { return l.Table.filter.Value() }

// RowsBelow is how many shown rows are below the cursor, and Page how
// many rows a screenful holds: a list that loads by pages fetches the
// next one when fewer than a screenful are left.
func (l *List[T]) RowsBelow() int { return max(0, len(l.Table.view)-1-l.Table.cursor) }

// Page is how many rows the table shows at once.
func (l *List[T]) Page() int { return max(1, l.Table.bodyHeight()) }

// OnScreen is the keys of the rows on screen, from the top one shown, for
// a table of rows rows (its own height once drawn, when larger): a list
// that fetches something per row fetches it for these.
func (l *List[T]) OnScreen(rows int) []string {
	t := l.Table
	n := max(rows, t.bodyHeight())
	var keys []string
	for i := t.offset; i < len(t.view) && i < t.offset+n; i++ {
		if r := t.Rows[t.view[i]]; !r.gap {
			keys = append(keys, r.key)
		}
	}
	return keys
}

// Shown is how many rows the filter lets through (all when none).
func (l *List[T]) Shown() int { return len(l.Table.view) }
