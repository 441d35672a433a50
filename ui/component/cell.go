package component

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/theme"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// Draw is a cell as the terminal gets it: each piece's text cleaned
// (escape sequences, control characters, bidi and invisible marks: what
// common.Clean drops) and styled by its role. Every table cell passes
// here, and so can any other text a screen shows from the API.
func Draw(st theme.Styles, c present.Cell) string {
	if len(c) == 1 {
		return drawSpan(st, c[0])
	}
	var b strings.Builder
	for _, s := range c {
		b.WriteString(drawSpan(st, s))
	}
	return b.String()
}

func drawSpan(st theme.Styles, s present.Span) string {
	switch s.Role {
	case present.Emoji:
		return common.EmojiCell(s.Text)
	case present.Swatch:
		if model.ValidateColor(s.Text) != nil {
			return st.Swatch("")
		}
		return st.Swatch(s.Text)
	}
	text := common.Clean(s.Text)
	if style, ok := roleStyle(st, s.Role); ok {
		return style.Render(text)
	}
	return text
}

func roleStyle(st theme.Styles, r present.Role) (lipgloss.Style, bool) {
	switch r {
	case present.Muted:
		return st.Muted, true
	case present.Bold:
		return st.Bold, true
	case present.Title:
		return st.Title, true
	case present.Running:
		return st.Running, true
	case present.Paused:
		return st.Paused, true
	case present.Pending:
		return st.Pending, true
	case present.Warning:
		return st.Warning, true
	case present.Danger:
		return st.Danger, true
	}
	return lipgloss.Style{}, false
}

// Text is text from the API for a panel, a form or a label rather than
// a table's cell: one line, cleaned as Draw cleans a cell. A panel that
// styles it draws a present.Cell with Draw instead.
func Text(s string) string { return common.Clean(s) }
