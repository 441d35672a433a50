package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/org"
)

// The list host: a screen declares what a list shows (listSpec) and the
// host does the rest, the same way for every list: the placeholder while
// it loads, the error with "r tries again", the age of what is shown when
// a refresh failed, the filter, the cursor, marks, the mouse and
// scrolling, and the screen's keys with their help. Like k9s's browser
// with a renderer per resource; forms work this way too (formSpec).

// listColumn is a column with the cell it draws, declared side by side.
type listColumn[T any] struct {
	column
	cell func(T) string
}

// col declares a column: its title, its width, how much of the spare
// width it takes (flex), the narrowest table that shows it (minTable, 0
// for always) and its cell.
func col[T any](title string, width, flex, minTable int, cell func(T) string) listColumn[T] {
	return listColumn[T]{column: column{title: title, width: width, flex: flex, minTable: minTable}, cell: cell}
}

// listKey is a key of a list screen, in the order of its help line.
// run is given the selected item; a key with needsItem does nothing
// without one. A key with no run is only shown: the host (filter, mark)
// or the root model (refresh, back) acts on it. hidden keys act without
// showing in the help line.
type listKey[T any] struct {
	binding   key.Binding
	needsItem bool
	hidden    bool
	run       func(item T, ok bool) tea.Cmd
}

// onItem is a key that acts on the selected item.
func onItem[T any](b key.Binding, run func(T) tea.Cmd) listKey[T] {
	return listKey[T]{binding: b, needsItem: true, run: func(item T, _ bool) tea.Cmd { return run(item) }}
}

// onList is a key that acts whether or not an item is selected.
func onList[T any](b key.Binding, run func() tea.Cmd) listKey[T] {
	return listKey[T]{binding: b, run: func(T, bool) tea.Cmd { return run() }}
}

// shown is a key only shown in the help: another part acts on it.
func shown[T any](b key.Binding) listKey[T] { return listKey[T]{binding: b} }

// hide keeps a key out of the help line.
func (k listKey[T]) hide() listKey[T] { k.hidden = true; return k }

// listSpec declares a list.
type listSpec[T any] struct {
	// noun names the items in placeholders and errors: "queues".
	noun string
	// empty is what an empty list says.
	empty   string
	columns []listColumn[T]
	// filterCol is the column drawn from the filter's text, so that the
	// characters a filter matched can be picked out.
	filterCol int
	// key is the item's identity: the cursor stays on it across reloads.
	key func(T) string
	// match is what the filter searches; its first primary bytes are the
	// filter column's text.
	match func(T) (text string, primary int)
	// marked and toggleMark, when set, make rows markable with the mark
	// key (space); dim, when set, draws some rows muted.
	marked     func(T) bool
	toggleMark func(T)
	dim        func(T) bool
	keys       []listKey[T]
	// link, when set, gives o, y and Y: what the item is called, its web
	// page and its ID.
	link func(T) (what, webURL, id string)
}

// list is the host: one list with its table and the state of its load.
type list[T any] struct {
	c     *Common
	spec  listSpec[T]
	table *table
	items []T
	// known is set once items holds what the server sent, not a guess.
	known    bool
	loading  bool
	err      error
	loadedAt time.Time
}

func newList[T any](c *Common, spec listSpec[T]) *list[T] {
	cols := make([]column, len(spec.columns))
	for i, lc := range spec.columns {
		cols[i] = lc.column
	}
	return &list[T]{c: c, spec: spec, table: newTable(c, cols, spec.filterCol, spec.empty)}
}

// startLoad says a load is on its way.
func (l *list[T]) startLoad() { l.loading = true }

// loaded takes in the reply to a load: the items, or an error that is
// kept (and said in a flash) while what was shown stays on. A background
// refresh the budget put off changes nothing and says nothing.
func (l *list[T]) loaded(items []T, err error) tea.Cmd {
	l.loading = false
	if deferred(err) {
		return nil
	}
	if err != nil {
		l.err = err
		return flash(flashError, "could not load "+l.spec.noun+": "+errorText(err))
	}
	l.setItems(items)
	return nil
}

// setItems shows items as the server's current list.
func (l *list[T]) setItems(items []T) {
	l.items, l.known, l.err, l.loadedAt = items, true, nil, l.c.Now()
	l.rebuild()
}

// upsert shows a changed item, or a new one with the cursor on it; it
// reports whether the item is new.
func (l *list[T]) upsert(item T) bool {
	k := l.spec.key(item)
	var added bool
	l.items, added = org.Upsert(l.items, item, func(x T) bool { return l.spec.key(x) == k })
	l.rebuild()
	if added {
		l.table.selectKey(k)
	}
	return added
}

// remove drops the item with this key.
func (l *list[T]) remove(k string) {
	for i, x := range l.items {
		if l.spec.key(x) == k {
			l.items = append(l.items[:i:i], l.items[i+1:]...)
			break
		}
	}
	l.rebuild()
}

// rebuild remakes the rows, keeping the cursor on the same item.
func (l *list[T]) rebuild() { l.table.setRows(l.rows(l.items)) }

// appendItems adds items at the end as the pages of a progressive load
// arrive, without remaking the rows already there.
func (l *list[T]) appendItems(items []T) {
	l.items = append(l.items, items...)
	l.table.appendRows(l.rows(items))
}

// rows makes the table's rows; their cells are drawn only when on
// screen, so a list of thousands styles only the rows shown.
func (l *list[T]) rows(items []T) []row {
	rows := make([]row, 0, len(items))
	for _, it := range items {
		text, primary := l.spec.match(it)
		r := row{key: l.spec.key(it), match: text, matchLen: primary,
			draw: func() []string { return l.cells(it) }}
		if l.spec.marked != nil {
			r.marked = l.spec.marked(it)
		}
		if l.spec.dim != nil {
			r.dim = l.spec.dim(it)
		}
		rows = append(rows, r)
	}
	return rows
}

func (l *list[T]) cells(it T) []string {
	cells := make([]string, len(l.spec.columns))
	for i, c := range l.spec.columns {
		cells[i] = c.cell(it)
	}
	return cells
}

// count is how many items the list holds (before any filter).
func (l *list[T]) count() int { return len(l.table.rows) }

func (l *list[T]) selected() (T, bool) {
	var zero T
	k, ok := l.table.selectedKey()
	if !ok {
		return zero, false
	}
	for _, it := range l.items {
		if l.spec.key(it) == k {
			return it, true
		}
	}
	return zero, false
}

func (l *list[T]) capturing() bool { return l.table.capturing() }

// help is the list's keys for the help line.
func (l *list[T]) help() []key.Binding {
	var out []key.Binding
	for _, k := range l.spec.keys {
		if !k.hidden {
			out = append(out, k.binding)
		}
	}
	return out
}

// update handles what the host does for every list: movement, the
// filter, the mouse wheel, marks and the screen's keys. top is the line
// of the screen's area the table starts on, for clicks. It reports
// whether it used the message.
func (l *list[T]) update(msg tea.Msg, top int) (bool, tea.Cmd) {
	switch msg := msg.(type) {
	case clickMsg:
		return l.table.clickRow(msg.y - top), nil
	case tea.MouseWheelMsg:
		return l.table.update(msg)
	case marksChanged:
		if l.spec.marked != nil {
			l.rebuild()
		}
		return false, nil
	case tea.KeyPressMsg:
		if used, cmd := l.table.update(msg); used {
			return true, cmd
		}
		return l.key(msg)
	}
	return false, nil
}

func (l *list[T]) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	item, ok := l.selected()
	if l.spec.toggleMark != nil && key.Matches(msg, l.c.Keys.Mark) {
		if ok {
			l.spec.toggleMark(item)
			l.rebuild()
			l.table.move(1)
		}
		return true, nil
	}
	for _, k := range l.spec.keys {
		if k.run == nil || !key.Matches(msg, k.binding) || (k.needsItem && !ok) {
			continue
		}
		return true, k.run(item, ok)
	}
	if ok && l.spec.link != nil {
		what, web, id := l.spec.link(item)
		cmd, used := l.c.linkKey(msg, what, web, id)
		return used, cmd
	}
	return false, nil
}

// view draws the list in width × height: its table, or while nothing is
// known yet, what is on its way or what went wrong.
func (l *list[T]) view(width, height int) string {
	st := l.c.Styles
	if !l.known {
		if l.err != nil {
			return st.FlashError.Render("  could not load "+l.spec.noun+": "+errorText(l.err)) + "\n" + st.Muted.Render("  r tries again")
		}
		return st.Muted.Render("  loading " + l.spec.noun + "…")
	}
	l.table.setSize(width, height)
	return l.table.render()
}

// stale is how old the list on show is when its last refresh failed.
func (l *list[T]) stale() (string, bool) {
	if l.err == nil || !l.known || l.loadedAt.IsZero() {
		return "", false
	}
	return ago(l.c.Now(), l.loadedAt), true
}
