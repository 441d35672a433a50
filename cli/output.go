package cli

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

// output is where a command's results go: a plain table on a terminal,
// tab-separated lines (no header) when piped, or JSON with --json.
// Every cell is cleaned for the terminal here, so no command can forget.
type output struct {
	w     io.Writer
	table bool // stdout is a terminal
	json  bool
}

func newOutput(w io.Writer, asJSON bool) output {
	return output{w: w, table: isTerminal(w), json: asJSON}
}

// rows prints a header and rows: aligned on a terminal, tab-separated
// when piped (a script reads fields by position; the header would be a
// row to skip).
func (o output) rows(header []string, rows [][]string) error {
	clean := make([][]string, len(rows))
	for i, r := range rows {
		clean[i] = make([]string, len(r))
		for j, cell := range r {
			clean[i][j] = termsafe.Text(cell)
		}
	}
	var text string
	if o.table {
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
				widths[j] = max(widths[j], ansi.StringWidth(cell))
			}
		}
	}
	var b strings.Builder
	for _, r := range all {
		b.WriteString(alignRow(r, widths, "  "))
		b.WriteByte('\n')
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

// plural is "1 queue", "2 queues".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
