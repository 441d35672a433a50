package component

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// column is a table column: a fixed width, or flex to share what is left.
type column struct {
	title string
	width int
	flex  int // share of the spare width; 0 keeps the width fixed
	// minTable hides the column when the table is narrower than this.
	minTable int
}

// row is a table row. cells may hold styles, except the filter column,
// which is drawn from match so the characters a filter matched can be
// highlighted.
type row struct {
	key   string
	cells []string
	// draw, when cells is nil, makes the cells when the row is drawn: a
	// list of thousands styles only the rows on screen.
	draw func() []string
	// match is the text the filter searches; its first matchLen bytes are
	// the filter column's text.
	match    string
	matchLen int
	marked   bool
	dim      bool
	// gap is a row that stands for items not loaded (ListSpec.Gap): its
	// one cell is said across the table's width; it has no match text,
	// so no filter matches it. missing is how many items it stands for;
	// about, that the list's total is not exact (GapRow).
	gap     bool
	missing int
	about   bool
}

// gapKey is the key of a gap row: no item's.
const gapKey = "\x00gap"

// Table is a scrolling table with a filter (matchText). Only the visible rows
// are drawn, so its cost does not grow with the list.
type Table struct {
	c         *common.Common
	cols      []column
	filterCol int
	Rows      []row
	view      []int   // rows shown, in order: all, or the filter's matches
	matched   [][]int // by row: byte offsets of matched characters; nil when not filtering
	cursor    int     // index into view
	offset    int
	width     int
	height    int // lines for the table, header included
	filter    textinput.Model
	filtering bool
	// The last query and the rows it matched, for narrowing.
	lastQuery   string
	lastMatches []int
	empty       string // what to say when there are no rows
	// sortCol is the column the rows are sorted by (-1 for none): its
	// title says so, ↑ or ↓ (sortDesc).
	sortCol  int
	sortDesc bool
}

func newTable(c *common.Common, cols []column, filterCol int, empty string) *Table {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "filter"
	return &Table{c: c, cols: cols, filterCol: filterCol, filter: in, empty: empty, sortCol: -1}
}

// setRows replaces the rows, keeping the cursor on the same key.
func (t *Table) setRows(rows []row) {
	selected, hadSelection := t.selectedKey()
	t.Rows = rows
	t.lastQuery, t.lastMatches = "", nil // new rows: search them all
	t.applyFilter()
	if hadSelection {
		t.SelectKey(selected)
	}
}

// appendRows adds rows at the end, as a list's pages arrive, without
// rebuilding what is there.
func (t *Table) appendRows(rows []row) {
	t.Rows = append(t.Rows, rows...)
	if t.query() == "" {
		for i := len(t.Rows) - len(rows); i < len(t.Rows); i++ {
			t.view = append(t.view, i)
		}
		return
	}
	t.lastQuery, t.lastMatches = "", nil
	t.applyFilter()
}

func (t *Table) SelectKey(k string) bool {
	for i, r := range t.view {
		if t.Rows[r].key == k {
			t.cursor = i
			t.scrollToCursor()
			return true
		}
	}
	return false
}

// CursorLine is the line of the table's body the cursor is drawn on.
func (t *Table) CursorLine() int { return t.cursor - t.offset }

// SelectAt puts the cursor delta rows from the row keyed k, drawn on
// line of the body (CursorLine): rows that came above the cursor (a page
// before a list's tail) push what is above it away, not the cursor. It
// reports whether a row has that key.
func (t *Table) SelectAt(k string, delta, line int) bool {
	if !t.SelectKey(k) {
		return false
	}
	t.cursor = min(max(t.cursor+delta, 0), max(len(t.view)-1, 0))
	t.offset = max(0, t.cursor-line)
	t.scrollToCursor()
	return true
}

func (t *Table) selectedKey() (string, bool) {
	if t.cursor < 0 || t.cursor >= len(t.view) {
		return "", false
	}
	return t.Rows[t.view[t.cursor]].key, true
}

func (t *Table) query() string { return strings.TrimSpace(t.filter.Value()) }

// applyFilter recomputes the visible rows: all of them in order, or the
// matches best first. A query that extends the last one searches
// only the last one's matches: every keystroke after the first is cheap.
func (t *Table) applyFilter() {
	q := t.query()
	if q == "" {
		t.view = t.view[:0]
		for i := range t.Rows {
			t.view = append(t.view, i)
		}
		t.lastQuery, t.lastMatches, t.matched = "", nil, nil
	} else {
		candidates := t.allRows()
		if t.lastMatches != nil && t.lastQuery != "" && strings.HasPrefix(q, t.lastQuery) {
			candidates = append([]int(nil), t.lastMatches...)
		}
		// What a person typed in full comes first: "macos" puts the macos
		// queue above macos-large, whatever the match's score says.
		lq := strings.ToLower(q)
		type ranked struct {
			row, rank, score, length int
			idx                      []int
		}
		rs := make([]ranked, 0, len(candidates))
		for _, c := range candidates {
			r := t.Rows[c]
			m, ok := matchText(q, r.match)
			if !ok {
				continue
			}
			primary := r.match[:r.matchLen]
			rank := 2
			if len(primary) >= len(lq) && strings.EqualFold(primary[:len(lq)], lq) {
				rank = 1
				if len(primary) == len(lq) {
					rank = 0
				}
			}
			rs = append(rs, ranked{row: c, rank: rank, score: m.score, length: r.matchLen, idx: m.idx})
		}
		slices.SortStableFunc(rs, func(a, b ranked) int {
			if a.rank != b.rank {
				return a.rank - b.rank
			}
			if a.score != b.score {
				return b.score - a.score
			}
			return a.length - b.length
		})
		if cap(t.matched) >= len(t.Rows) {
			t.matched = t.matched[:len(t.Rows)]
			clear(t.matched)
		} else {
			t.matched = make([][]int, len(t.Rows))
		}
		t.view = t.view[:0]
		for _, r := range rs {
			t.view = append(t.view, r.row)
			t.matched[r.row] = r.idx
		}
		t.lastQuery = q
		t.lastMatches = append(t.lastMatches[:0], t.view...)
	}
	t.cursor = min(max(t.cursor, 0), max(len(t.view)-1, 0))
	t.scrollToCursor()
}

func (t *Table) allRows() []int {
	all := make([]int, len(t.Rows))
	for i := range all {
		all[i] = i
	}
	return all
}

func (t *Table) setSize(w, h int) {
	t.width, t.height = w, h
	t.filter.SetWidth(max(10, w-20))
	t.scrollToCursor()
}

// bodyHeight is the number of rows that fit.
func (t *Table) bodyHeight() int {
	h := t.height - 1 // header
	if t.filtering || t.query() != "" {
		h--
	}
	if t.overflows() {
		h-- // the line that says what is above and below
	}
	return max(h, 1)
}

func (t *Table) scrollToCursor() {
	h := t.bodyHeight()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+h {
		t.offset = t.cursor - h + 1
	}
	t.offset = max(0, min(t.offset, len(t.view)-h))
}

func (t *Table) Move(delta int) {
	if len(t.view) == 0 {
		return
	}
	t.cursor = min(max(t.cursor+delta, 0), len(t.view)-1)
	t.scrollToCursor()
}

// capturing reports that the filter input has the focus.
func (t *Table) capturing() bool { return t.filtering }

// Update handles movement, the filter and the mouse. It reports whether
// it used the message.
func (t *Table) Update(msg tea.Msg) (bool, tea.Cmd) {
	k := t.c.Keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if t.filtering {
			switch msg.String() {
			case "esc":
				t.filtering = false
				t.filter.Blur()
				t.filter.SetValue("")
				t.applyFilter()
				return true, nil
			case "enter":
				t.filtering = false
				t.filter.Blur()
				return true, nil
			case "up", "down", "ctrl+p", "ctrl+n":
				t.Move(map[string]int{"up": -1, "ctrl+p": -1, "down": 1, "ctrl+n": 1}[msg.String()])
				return true, nil
			}
			before := t.filter.Value()
			var cmd tea.Cmd
			t.filter, cmd = t.filter.Update(msg)
			if t.filter.Value() != before {
				t.cursor = 0
				t.applyFilter()
			}
			return true, cmd
		}
		switch {
		case key.Matches(msg, k.Up):
			t.Move(-1)
		case key.Matches(msg, k.Down):
			t.Move(1)
		case key.Matches(msg, k.PageUp):
			t.Move(-t.bodyHeight())
		case key.Matches(msg, k.PageDown):
			t.Move(t.bodyHeight())
		case key.Matches(msg, k.Top):
			t.Move(-len(t.view))
		case key.Matches(msg, k.Bottom):
			t.Move(len(t.view))
		case key.Matches(msg, k.Filter):
			t.filtering = true
			return true, t.filter.Focus()
		case key.Matches(msg, k.Back) && t.query() != "":
			t.filter.SetValue("")
			t.applyFilter()
		default:
			return false, nil
		}
		return true, nil
	case tea.PasteMsg:
		// A paste goes into the filter while it is open, as typing does.
		if !t.filtering {
			return false, nil
		}
		before := t.filter.Value()
		var cmd tea.Cmd
		t.filter, cmd = t.filter.Update(msg)
		if t.filter.Value() != before {
			t.cursor = 0
			t.applyFilter()
		}
		return true, cmd
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			t.Move(-3)
		case tea.MouseWheelDown:
			t.Move(3)
		}
		return true, nil
	}
	return false, nil
}

// clickRow selects the row drawn at line y of the table, if any.
func (t *Table) clickRow(y int) bool {
	first := 1 // header
	if t.filtering || t.query() != "" {
		first++
	}
	i := t.offset + y - first
	if y < first || i >= len(t.view) {
		return false
	}
	t.cursor = i
	return true
}

// widths lays out the columns in the table's width. Each shown column
// gets its declared width; what is left goes first to the columns whose
// cells on screen are cut, the least cut first (a name or key a few
// characters too long is whole before a long state or note takes
// more), and the rest by flex, so that the table fills its width.
func (t *Table) widths() []int {
	const gap = 2
	ws := make([]int, len(t.cols))
	fixed, shares := 2, 0 // the mark column
	for i, c := range t.cols {
		if t.width < c.minTable {
			ws[i] = -1 // hidden
			continue
		}
		ws[i] = c.width
		fixed += c.width + gap
		shares += c.flex
	}
	spare := t.width - fixed
	if spare <= 0 {
		return ws
	}
	need := t.cut(ws)
	order := make([]int, 0, len(ws))
	for i := range ws {
		if need[i] > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return need[a] - need[b] })
	for _, i := range order {
		give := min(need[i], spare)
		ws[i] += give
		spare -= give
	}
	if spare > 0 && shares > 0 {
		for i, c := range t.cols {
			if ws[i] >= 0 {
				ws[i] += spare * c.flex / shares
			}
		}
	}
	return ws
}

// cut is, by column, how many more cells its widest cell on screen (or
// its title) needs than ws gives it.
func (t *Table) cut(ws []int) []int {
	need := make([]int, len(t.cols))
	for i, c := range t.cols {
		if ws[i] >= 0 {
			title := common.Width(c.title)
			if i == t.sortCol {
				title++ // its arrow
			}
			need[i] = max(0, title-ws[i])
		}
	}
	end := min(len(t.view), t.offset+t.bodyHeight())
	for vi := t.offset; vi < end; vi++ {
		ri := t.view[vi]
		r := t.Rows[ri]
		if r.gap {
			continue // said across the columns, not in them
		}
		if r.cells == nil && r.draw != nil {
			r.cells = r.draw()
			t.Rows[ri].cells = r.cells
		}
		for i, cell := range r.cells {
			if i < len(ws) && ws[i] >= 0 {
				need[i] = max(need[i], common.Width(cell)-ws[i])
			}
		}
	}
	return need
}

func (t *Table) render() string {
	st := t.c.Styles
	var b strings.Builder
	if t.filtering || t.query() != "" {
		line := t.filter.View()
		if !t.filtering {
			line = st.Muted.Render("/" + t.query() + "  (esc clears)")
		}
		count := st.Muted.Render(fmt.Sprintf(" %d of %d", len(t.view), len(t.Rows)))
		b.WriteString(common.Fit(line, max(0, t.width-common.Width(count))) + count + "\n")
	}
	ws := t.widths()
	var cells []string
	for i, c := range t.cols {
		if ws[i] >= 0 {
			title := c.title
			if i == t.sortCol {
				// The arrow is kept when the title is cut.
				arrow := "↑"
				if t.sortDesc {
					arrow = "↓"
				}
				title = strings.TrimRight(common.Fit(title, max(0, ws[i]-1)), " ") + arrow
			}
			cells = append(cells, common.Fit(title, ws[i]))
		}
	}
	b.WriteString(common.Fit(st.TableHeader.Render("  "+strings.Join(cells, "  ")), t.width))
	if len(t.view) == 0 {
		msg := t.empty
		if t.query() != "" {
			msg = fmt.Sprintf("nothing matches %q", t.query())
		}
		b.WriteString("\n" + st.Muted.Render("  "+msg))
		return b.String()
	}
	end := min(len(t.view), t.offset+t.bodyHeight())
	for vi := t.offset; vi < end; vi++ {
		ri := t.view[vi]
		r := t.Rows[ri]
		if r.cells == nil && r.draw != nil {
			// Drawn once, when first on screen, and kept: whatever a cell
			// shows changes only with a rebuild of the rows.
			r.cells = r.draw()
			t.Rows[ri].cells = r.cells
		}
		selected := vi == t.cursor
		if r.gap {
			line := st.Muted.Render("  " + r.cells[0])
			if selected {
				line = st.Selected.Render(common.Fit("› "+r.cells[0], t.width))
			}
			b.WriteString("\n" + common.Fit(line, t.width))
			continue
		}
		cells = cells[:0]
		for i := range t.cols {
			if ws[i] < 0 {
				continue
			}
			var cell string
			if i < len(r.cells) {
				cell = r.cells[i]
			}
			if i == t.filterCol && t.matched != nil {
				cell = t.highlight(r, t.matched[ri], selected)
			}
			if selected {
				cell = stripStyles(cell, i == t.filterCol && t.matched != nil)
			}
			cells = append(cells, common.Fit(cell, ws[i]))
		}
		// The cursor is drawn as well as coloured, so it shows without
		// colour too (NO_COLOR, a monochrome terminal, a screenshot).
		mark := "  "
		switch {
		case r.marked && selected:
			// Both: the cursor must not vanish under the mark.
			mark = st.Marked.Render("●") + "›"
		case r.marked:
			mark = st.Marked.Render("● ")
		case selected:
			mark = "› "
		}
		line := mark + strings.Join(cells, "  ")
		switch {
		case selected:
			line = st.Selected.Render(common.Fit(line, t.width))
		case r.dim:
			line = st.Muted.Render(common.Fit(stripStyles(line, false), t.width))
		default:
			line = common.Fit(line, t.width)
		}
		b.WriteString("\n" + line)
	}
	if t.overflows() {
		// A sign that the list goes on, and where the cursor is in it.
		first, last, total, about := t.positions(t.offset, end-1)
		of := "of"
		if about {
			of = "of about"
		}
		more := fmt.Sprintf("  %d–%d %s %d", first, last, of, total)
		if below := total - last; below > 0 {
			more += fmt.Sprintf(" · ↓ %d more below", below)
		}
		if first > 1 {
			more += fmt.Sprintf(" · ↑ %d above", first-1)
		}
		b.WriteString("\n" + st.Muted.Render(common.Fit(more, t.width)))
	}
	return b.String()
}

// positions numbers the rows shown, from view index from to to, in the
// whole list: a gap row in view stands for the items it lacks, so the
// rows after it are numbered past them and the total counts them, as the
// title does; about when the gap may stand for items the list would not
// show. Without one, they are the rows' own numbers.
func (t *Table) positions(from, to int) (first, last, total int, about bool) {
	gapAt, missing := -1, 0
	for i, r := range t.view {
		if t.Rows[r].gap {
			gapAt, missing, about = i, t.Rows[r].missing, t.Rows[r].about
			break
		}
	}
	if gapAt < 0 || missing <= 0 {
		return from + 1, to + 1, len(t.view), false
	}
	number := func(i int, atEnd bool) int {
		switch {
		case i < gapAt:
			return i + 1
		case i == gapAt && !atEnd:
			return gapAt + 1 // the first item it stands for
		}
		return i + missing // past the gap; or its last item
	}
	return number(from, false), number(to, true), len(t.view) - 1 + missing, about
}

// overflows reports that the rows do not all fit: the last line then
// says how many are above and below.
func (t *Table) overflows() bool {
	h := t.height - 1
	if t.filtering || t.query() != "" {
		h--
	}
	return len(t.view) > max(h, 1) && h > 2
}

// highlight draws the filter column's text with the matched characters
// picked out.
func (t *Table) highlight(r row, idx []int, selected bool) string {
	text := r.match[:min(r.matchLen, len(r.match))]
	set := map[int]bool{}
	for _, i := range idx {
		set[i] = true
	}
	var b strings.Builder
	for i, ch := range text {
		if set[i] {
			b.WriteString(t.c.Styles.Match.Render(string(ch)))
		} else {
			b.WriteRune(ch)
		}
	}
	return b.String()
}

// stripStyles removes styles from a cell drawn on the selected row, whose
// own style would otherwise be cut off by the cell's; matches stay.
func stripStyles(s string, keep bool) string {
	if keep {
		return s
	}
	return ansi.Strip(s)
}
