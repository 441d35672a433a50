package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

// output is where a command's results go: a plain table on a terminal,
// tab-separated lines (no header) when piped, or JSON with --json.
// Every cell is cleaned for the terminal here, so no command can forget.
type output struct {
	w     io.Writer
	table bool // stdout is a terminal
	json  bool
	// width is the terminal's columns a table is fitted to.
	width int
}

func newOutput(w io.Writer, asJSON bool, getenv func(string) string) output {
	o := output{w: w, table: isTerminal(w), json: asJSON}
	if o.table {
		o.width = tableWidth(w, getenv)
	}
	return o
}

// defaultWidth is a table's width when the terminal does not say its own.
const defaultWidth = 80

// tableWidth is the width a table is fitted to: $COLUMNS when it is set
// (as git and ls read it: a person can ask for a wider or narrower
// table), else the terminal's own width, else 80.
func tableWidth(w io.Writer, getenv func(string) string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(f.Fd()); err == nil && cols > 0 {
			return cols
		}
	}
	return defaultWidth
}

// column is a table's column and what gives way when the table is wider
// than the terminal: a row that wraps onto the next line is harder to
// read than one with a column left out or cut. Piped output and --json
// keep every column whole.
type column struct {
	name string
	// drop orders the columns left out, the highest first; 0 is never
	// left out.
	drop int
	// cut is the fewest cells a column may be cut to (with "…") before a
	// column is left out; 0 is never cut.
	cut int
	// wrap makes a narrowed column's cells wrap onto more lines, within
	// the column, rather than be cut: a result's message is read whole.
	wrap bool
}

// plainColumns are columns that never give way.
func plainColumns(names ...string) []column {
	out := make([]column, len(names))
	for i, n := range names {
		out[i] = column{name: n}
	}
	return out
}

// rows prints a header and rows: aligned on a terminal, tab-separated
// when piped (a script reads fields by position; the header would be a
// row to skip).
func (o output) rows(header []string, rows [][]string) error {
	if header == nil {
		return o.columns(nil, rows)
	}
	return o.columns(plainColumns(header...), rows)
}

// columns prints rows under cols' header: on a terminal fitted to its width
// (fitColumns), tab-separated and whole when piped.
func (o output) columns(cols []column, rows [][]string) error {
	clean := make([][]string, len(rows))
	for i, r := range rows {
		clean[i] = make([]string, len(r))
		for j, cell := range r {
			clean[i][j] = termsafe.Text(cell)
		}
	}
	var text string
	if o.table {
		var header []string
		if cols != nil {
			header = make([]string, len(cols))
			for i, c := range cols {
				header[i] = c.name
			}
		}
		if o.width > 0 && cols != nil {
			header, clean = fitColumns(cols, clean, o.width)
		}
		text = alignTable(header, clean)
	} else {
		var b strings.Builder
		for _, r := range clean {
			b.WriteString(strings.Join(r, "\t"))
			b.WriteByte('\n')
		}
		text = b.String()
	}
	_, err := io.WriteString(o.w, text)
	return err
}

// tableGap is the space between two columns.
const tableGap = 2

// fitColumns fits a table into width terminal cells: while it is too
// wide, the cuttable columns are cut (the widest first, none below its
// cut), and when that is not enough the column that drops first is left
// out and the fitting starts again. What still does not fit (every
// column kept and cut to its least) is left to wrap.
func fitColumns(cols []column, rows [][]string, width int) ([]string, [][]string) {
	keep := make([]bool, len(cols))
	for i := range keep {
		keep[i] = true
	}
	natural := make([]int, len(cols))
	for i, c := range cols {
		natural[i] = ansi.StringWidth(c.name)
		for _, r := range rows {
			if i < len(r) {
				natural[i] = max(natural[i], ansi.StringWidth(r[i]))
			}
		}
	}
	for {
		widths := make([]int, len(cols))
		total, least := -tableGap, -tableGap
		for i, c := range cols {
			if !keep[i] {
				continue
			}
			widths[i] = natural[i]
			total += natural[i] + tableGap
			least += min(natural[i], cutTo(c, natural[i])) + tableGap
		}
		if total <= width || least <= width || !dropOne(cols, keep) {
			// Cut the widest cuttable column by a cell at a time until
			// the table fits or nothing can be cut further.
			for total > width {
				widest := -1
				for i, c := range cols {
					if keep[i] && c.cut > 0 && widths[i] > cutTo(c, natural[i]) && (widest < 0 || widths[i] > widths[widest]) {
						widest = i
					}
				}
				if widest < 0 {
					break
				}
				widths[widest]--
				total--
			}
			return cutTable(cols, rows, keep, widths)
		}
	}
}

// cutTo is the least a column of natural width n may be cut to.
func cutTo(c column, n int) int {
	if c.cut == 0 {
		return n
	}
	return max(c.cut, ansi.StringWidth(c.name))
}

// dropOne leaves out the kept column with the highest drop; false when
// none may be.
func dropOne(cols []column, keep []bool) bool {
	at := -1
	for i, c := range cols {
		if keep[i] && c.drop > 0 && (at < 0 || c.drop > cols[at].drop) {
			at = i
		}
	}
	if at < 0 {
		return false
	}
	keep[at] = false
	return true
}

// cutTable is the kept columns of a table, each cell cut to its width.
func cutTable(cols []column, rows [][]string, keep []bool, widths []int) ([]string, [][]string) {
	var header []string
	for i, c := range cols {
		if keep[i] {
			header = append(header, c.name)
		}
	}
	out := make([][]string, len(rows))
	for j, r := range rows {
		for i := range cols {
			switch {
			case !keep[i] || i >= len(r):
			case cols[i].wrap:
				out[j] = append(out[j], wrapAtSpaces(r[i], widths[i]))
			default:
				out[j] = append(out[j], ansi.Truncate(r[i], widths[i], "…"))
			}
		}
	}
	return header, out
}

// nonBreakingHyphen stands in for a hyphen while a cell is wrapped.
const nonBreakingHyphen = "\u2011"

// wrapAtSpaces wraps s to width cells at its spaces: ansi.Wrap also
// breaks at every hyphen, which cuts a time (2026-12-06T…) or an id in
// two; a word longer than the width is still broken.
func wrapAtSpaces(s string, width int) string {
	s = strings.ReplaceAll(s, "-", nonBreakingHyphen)
	return strings.ReplaceAll(ansi.Wrap(s, width, ""), nonBreakingHyphen, "-")
}

// alignTable lays out rows in columns as wide as their widest cell, by
// the width a terminal gives each character (an emoji is two), so a long
// shape name or a wide character does not shift the columns after it.
func alignTable(header []string, rows [][]string) string {
	all := rows
	if header != nil {
		all = append([][]string{header}, rows...)
	}
	widths := make([]int, len(header))
	for _, r := range all {
		for j, cell := range r {
			if j < len(widths) {
				for _, l := range strings.Split(cell, "\n") {
					widths[j] = max(widths[j], ansi.StringWidth(l))
				}
			}
		}
	}
	var b strings.Builder
	for _, r := range all {
		// A wrapped cell's lines go under each other, the row's other
		// cells blank beside them.
		lines := make([][]string, len(r))
		height := 1
		for j, cell := range r {
			lines[j] = strings.Split(cell, "\n")
			height = max(height, len(lines[j]))
		}
		for k := range height {
			line := make([]string, len(r))
			for j := range r {
				if k < len(lines[j]) {
					line[j] = lines[j][k]
				}
			}
			b.WriteString(alignRow(line, widths, "  "))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// alignRow pads each cell but the last to its column's width.
func alignRow(cells []string, widths []int, gap string) string {
	var b strings.Builder
	for j, cell := range cells {
		b.WriteString(cell)
		if j < len(cells)-1 {
			if j < len(widths) {
				b.WriteString(strings.Repeat(" ", max(0, widths[j]-ansi.StringWidth(cell))))
			}
			b.WriteString(gap)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// writeJSON prints v as indented JSON. encoding/json escapes C0 controls
// (ESC included); termsafe.EscapeJSON escapes the rest of what could act
// on a terminal, so the bytes are inert and the data unchanged.
func (o output) writeJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = o.w.Write(append(termsafe.EscapeJSON(b), '\n'))
	return err
}

// jsonArray is writeJSON's output of a list built a page at a time: each
// page is encoded as it arrives, while the pages after it are fetched,
// rather than the whole list in one pass at the end. The bytes are the
// same as writeJSON's of the whole list.
type jsonArray struct {
	out, item bytes.Buffer
	enc       *json.Encoder
	// expected is how many items the list will hold, when known: the
	// output is sized for them once the first are encoded.
	expected, encoded int
}

func newJSONArray() *jsonArray {
	a := &jsonArray{}
	a.enc = json.NewEncoder(&a.item)
	a.enc.SetIndent("  ", "  ")
	return a
}

// add encodes items, in order, after those added before.
func add[T any](a *jsonArray, items []T) error {
	a.item.Reset()
	for _, v := range items {
		if a.out.Len() == 0 && a.item.Len() == 0 {
			a.item.WriteString("[\n  ")
		} else {
			a.item.WriteString(",\n  ")
		}
		if err := a.enc.Encode(v); err != nil {
			return err
		}
		a.item.Truncate(a.item.Len() - 1) // Encode's newline
	}
	if a.encoded == 0 && len(items) > 0 && a.expected > len(items) {
		a.out.Grow(a.item.Len() / len(items) * (a.expected + a.expected/8))
	}
	a.encoded += len(items)
	a.out.Write(termsafe.EscapeJSON(a.item.Bytes()))
	return nil
}

// write writes the array to o.
func (a *jsonArray) write(o output) error {
	if a.out.Len() == 0 {
		a.out.WriteString("[]\n")
	} else {
		a.out.WriteString("\n]\n")
	}
	_, err := o.w.Write(a.out.Bytes())
	return err
}

// plural is "1 queue", "2 queues".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
