package ui

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// helpEntries reads the help as drawn at width (all of it, as scrolling
// shows it) back into its entries, "key what it does · why off", each
// with its lines joined: the screen's keys on the left, how to move and
// what works everywhere on the right when the two fit side by side.
func helpEntries(help string, width int) []string {
	inner := max(20, width-2)
	colWidth := min(48, (inner-2)/2)
	var columns [2][]string
	keys, _, _ := strings.Cut(ansi.Strip(help), "What the columns say") // then the legend, wrapped
	for _, line := range strings.Split(keys, "\n") {
		line = strings.TrimPrefix(line, " ")
		if colWidth < 36 {
			columns[0] = append(columns[0], line)
			continue
		}
		columns[0] = append(columns[0], ansi.Cut(line, 0, colWidth))
		columns[1] = append(columns[1], ansi.Cut(line, colWidth+2, lipgloss.Width(line)))
	}
	const keyColumn = 11
	var entries []string
	for _, col := range columns {
		for _, l := range col {
			switch {
			case strings.TrimSpace(l) == "":
			case strings.TrimSpace(ansi.Cut(l, 0, keyColumn)) == "" && len(entries) > 0:
				entries[len(entries)-1] += " " + strings.TrimSpace(l)
			default:
				k := strings.TrimSpace(ansi.Cut(l, 0, keyColumn))
				entries = append(entries, k+" "+strings.TrimSpace(ansi.Cut(l, keyColumn, lipgloss.Width(l))))
			}
		}
	}
	return entries
}

// In read-only mode, at 80×24 (as an SSH viewer) and at 200×60, every
// entry of every registered screen's help (and its tabs') is whole: the
// key, what it does and "· read-only" for a change turned off, never cut
// to "read-…" (issue 29, 8).
func TestEveryHelpEntryIsWholeInReadOnlyMode(t *testing.T) {
	t.Parallel()
	for _, size := range []struct {
		width, height int
		remote        bool
	}{{80, 24, true}, {200, 60, false}} {
		t.Run(fmt.Sprintf("%dx%d", size.width, size.height), func(t *testing.T) {
			t.Parallel()
			d := startDriver(t, driverOptions{width: size.width, height: size.height, size: sandbox.SizeEmpty, readOnly: true, remote: size.remote})
			args := hostileItems(t, d)
			d.keys("r")
			d.waitFor("Ops")
			checked, off := 0, 0
			check := func(t *testing.T, where string) {
				t.Helper()
				var help string
				var bs []key.Binding
				var keyOff func(key.Binding) bool
				done := make(chan struct{})
				d.p.Send(probe{fn: func(a *App) {
					defer close(done)
					help = component.NewHelpOverlay(a.c, a.top()).View(a.c.Width, 1000)
					bs = a.top().Help()
					if m, ok := a.top().(component.MoreHelped); ok {
						bs = append(bs, m.MoreHelp()...)
					}
					keyOff = a.c.KeyOff
				}})
				<-done
				for i, line := range strings.Split(help, "\n") {
					if w := lipgloss.Width(line); w > size.width {
						t.Errorf("%s: help line %d is %d wide", where, i, w)
					}
				}
				entries := helpEntries(help, size.width)
				for _, b := range bs {
					h := b.Help()
					if h.Key == "" || (h.Key == d.app.c.Keys.Browse.Help().Key && h.Desc == d.app.c.Keys.Browse.Help().Desc) {
						continue // o is listed with what works everywhere, as what it does here
					}
					want := h.Key + " " + h.Desc
					if keyOff(b) {
						want += " · read-only"
						off++
					}
					checked++
					found := false
					for _, e := range entries {
						found = found || e == want
					}
					if !found {
						t.Errorf("%s: the help has no whole entry %q; its entries:\n%s\nas drawn:\n%s", where, want, strings.Join(entries, "\n"), ansi.Strip(help))
					}
				}
				for _, e := range entries {
					if strings.Contains(e, "…") {
						t.Errorf("%s: a cut entry %q", where, e)
					}
				}
			}
			for _, e := range screen.Registered() {
				d.p.Send(probe{fn: func(a *App) {
					for len(a.stack) > 1 {
						a.closeTop()
					}
				}})
				d.open(func(c *common.Common) common.Screen { return e.Open(c, args[e.Arg()]) })
				d.settle()
				check(t, e.Name)
				for tab := 1; tab <= 3; tab++ {
					d.keys("tab")
					d.settle()
					check(t, fmt.Sprintf("%s, tab %d", e.Name, tab))
				}
			}
			if checked < 50 || off < 10 {
				t.Fatalf("only %d entries checked, %d of them off", checked, off)
			}
		})
	}
}
