package ui

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

// ansiHTML turns a frame's ANSI (SGR styles only; the console draws no
// other sequences) into HTML spans, for the README's pictures.
func ansiHTML(s string) string {
	type style struct {
		fg, bg                             string
		bold, italic, under, strike, faint bool
	}
	basic := []string{"#1b1d23", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#dcdfe4",
		"#5c6370", "#ff7b86", "#b5e890", "#ffd68a", "#7cc5ff", "#de9bff", "#6fd6e3", "#ffffff"}
	xterm := func(n int) string {
		switch {
		case n < 16:
			return basic[n]
		case n < 232:
			n -= 16
			c := func(v int) int {
				if v == 0 {
					return 0
				}
				return 55 + v*40
			}
			return fmt.Sprintf("#%02x%02x%02x", c(n/36), c(n/6%6), c(n%6))
		default:
			g := 8 + (n-232)*10
			return fmt.Sprintf("#%02x%02x%02x", g, g, g)
		}
	}
	var cur style
	var b strings.Builder
	open := false
	emit := func() {
		if open {
			b.WriteString("</span>")
			open = false
		}
		var css []string
		if cur.fg != "" {
			css = append(css, "color:"+cur.fg)
		}
		if cur.bg != "" {
			css = append(css, "background:"+cur.bg)
		}
		if cur.bold {
			css = append(css, "font-weight:bold")
		}
		if cur.italic {
			css = append(css, "font-style:italic")
		}
		var deco []string
		if cur.under {
			deco = append(deco, "underline")
		}
		if cur.strike {
			deco = append(deco, "line-through")
		}
		if len(deco) > 0 {
			css = append(css, "text-decoration:"+strings.Join(deco, " "))
		}
		if cur.faint {
			css = append(css, "opacity:.6")
		}
		if len(css) > 0 {
			b.WriteString(`<span style="` + strings.Join(css, ";") + `">`)
			open = true
		}
	}
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			if j >= len(s) {
				break
			}
			if s[j] == 'm' {
				params := strings.FieldsFunc(s[i+2:j], func(r rune) bool { return r == ';' || r == ':' })
				if len(params) == 0 {
					params = []string{"0"}
				}
				for k := 0; k < len(params); k++ {
					n, _ := strconv.Atoi(params[k])
					color := func() string {
						if k+1 < len(params) && params[k+1] == "5" && k+2 < len(params) {
							v, _ := strconv.Atoi(params[k+2])
							k += 2
							return xterm(v)
						}
						if k+1 < len(params) && params[k+1] == "2" && k+4 < len(params) {
							r, _ := strconv.Atoi(params[k+2])
							g, _ := strconv.Atoi(params[k+3])
							bl, _ := strconv.Atoi(params[k+4])
							k += 4
							return fmt.Sprintf("#%02x%02x%02x", r, g, bl)
						}
						return ""
					}
					switch {
					case n == 0:
						cur = style{}
					case n == 1:
						cur.bold = true
					case n == 2:
						cur.faint = true
					case n == 3:
						cur.italic = true
					case n == 4:
						cur.under = true
					case n == 9:
						cur.strike = true
					case n == 22:
						cur.bold, cur.faint = false, false
					case n == 23:
						cur.italic = false
					case n == 24:
						cur.under = false
					case n == 29:
						cur.strike = false
					case n >= 30 && n <= 37:
						cur.fg = basic[n-30]
					case n == 38:
						cur.fg = color()
					case n == 39:
						cur.fg = ""
					case n >= 40 && n <= 47:
						cur.bg = basic[n-40]
					case n == 48:
						cur.bg = color()
					case n == 49:
						cur.bg = ""
					case n >= 90 && n <= 97:
						cur.fg = basic[n-90+8]
					case n >= 100 && n <= 107:
						cur.bg = basic[n-100+8]
					}
				}
				emit()
			}
			i = j + 1
			continue
		}
		j := i
		for j < len(s) && s[j] != 0x1b {
			j++
		}
		b.WriteString(html.EscapeString(s[i:j]))
		i = j
	}
	if open {
		b.WriteString("</span>")
	}
	return b.String()
}
