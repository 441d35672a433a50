package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// The frame: two header lines (title with the organisation, budget and
// marks; breadcrumbs) and two footer lines (the note prompt, a flash or
// the requests in flight; the help of the top screen's keys), around the
// top screen or the overlay over it.

// View draws header, the top screen (or an overlay over it) and footer.
func (a *App) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "kiteconsole — " + a.c.Client.Org()
	if a.quitting {
		return v
	}
	v.SetContent(a.render())
	return v
}

func (a *App) render() string {
	area := a.top().View()
	if o := a.overlay; o != nil {
		switch o.Place() {
		case component.PlaceArea:
			area = o.View(a.c.Width, a.c.Height)
		case component.PlaceTop:
			area = lipgloss.Place(a.c.Width, a.c.Height, lipgloss.Center, lipgloss.Top, o.View(a.c.Width, a.c.Height))
		case component.PlaceCenter:
			area = lipgloss.Place(a.c.Width, a.c.Height, lipgloss.Center, lipgloss.Center, o.View(a.c.Width, a.c.Height))
		}
	}
	area = common.Clip(area, a.width, a.c.Height)
	if n := strings.Count(area, "\n") + 1; n < a.c.Height {
		area += strings.Repeat("\n", a.c.Height-n)
	}
	status, more := a.statusLines()
	if more == "" {
		more = a.helpLine()
	}
	return strings.Join([]string{a.header(), a.crumbs(), area, status, more}, "\n")
}

func (a *App) header() string {
	st := a.c.Styles
	left := st.Title.Render("kiteconsole") + "  " + st.Bold.Render(common.Clean(a.c.Client.Org()))
	if a.opts.Demo {
		left += "  " + st.DemoBadge.Render("DEMO")
	} else {
		left += "  " + st.Muted.Render(a.c.Client.Endpoint())
	}
	if a.c.ReadOnly {
		left += " " + st.ReadOnly.Render("READ-ONLY")
	}
	// The marks count across clusters comes first: in a narrow window the
	// hint goes, then the budget, but never the count.
	var marks, hint string
	if n := a.c.Session.MarkCount(); n > 0 {
		clusters := map[string]bool{}
		for _, m := range a.c.Session.Marks() {
			clusters[m.ClusterID] = true
		}
		text := fmt.Sprintf("● %d marked", n)
		if len(clusters) > 1 {
			text += fmt.Sprintf(" in %d clusters", len(clusters))
		}
		marks, hint = st.Marked.Render(text), st.Muted.Render(" (p pauses all, x clears)")
	}
	var rights []string
	for _, budget := range a.budget() {
		rights = append(rights, join(marks+hint, budget), join(marks, budget))
	}
	for _, right := range append(rights, marks) {
		if gap := a.width - common.Width(left) - common.Width(right); gap >= 1 {
			return left + strings.Repeat(" ", gap) + right
		}
	}
	return common.Fit(left, a.width)
}

// join puts two parts of the header's right side two spaces apart.
func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "  " + b
}

// budget is the header's binding window, the one of the four (REST's
// organisation and user windows in requests, GraphQL's in points) with
// the smallest part of itself left: "API 31/50 you · resets 42s", "API
// 12/200 org · resets 9s", "API 900/5000 pts you · resets 187s"; amber
// below a quarter of it, red at the reserve or while a 429 holds. Once the
// window has reset it shows the fresh one ("API 50/50 you") until the next
// reply says more, rather than vanish. While counts come from REST
// (GraphQL refused the token, failed or is spent) it says so first, once.
// While the API cannot be reached it says that instead, and for how long
// ("API unreachable · 1m"). The forms come longest first: a narrow
// header takes the first that fits, so the note of REST's counts is
// shortened before the budget goes (at 80 columns the whole note and the
// budget took 79 of the 56 left, and both went).
func (a *App) budget() []string {
	st := a.c.Styles
	// The client's clock, not the display's.
	now := a.c.Client.Now()
	if u := a.c.Client.Unreachable(); u != nil {
		// The budget is what the API last said, and it can no longer be
		// asked: shown as if all were well, it hid that nothing gets
		// through (issue 29).
		return []string{st.Danger.Render(unreachable(u, now))}
	}
	text, level := budgetLine(a.c.Client.Budget(), now)
	switch level {
	case budgetDanger:
		text = st.Danger.Render(text)
	case budgetLow:
		text = st.Warning.Render(text)
	default:
		text = st.Muted.Render(text)
	}
	if u := a.c.Client.GraphQLUnavailable(); u != nil {
		return []string{join(st.Warning.Render(countsFromREST(u)), text), join(st.Warning.Render("counts from REST"), text), text}
	}
	return []string{text}
}

// unreachable is the header's note while the API cannot be reached: what
// happened, and for how long.
func unreachable(u *api.Unreachable, now time.Time) string {
	what := "API unreachable"
	if errors.Is(u.Err, api.ErrTimeout) {
		what = "API not answering"
	}
	return what + " · " + present.Elapsed(now, u.Since)
}

// countsFromREST is the header's note while counts come from REST.
func countsFromREST(u *api.GraphQLUnavailableError) string {
	return "counts from REST: " + u.Said()
}

type budgetLevel int

const (
	budgetOK budgetLevel = iota
	budgetLow
	budgetDanger
)

// budgetLine is the header's budget text and how alarming it is, at now.
func budgetLine(b api.Budget, now time.Time) (string, budgetLevel) {
	if b.Known && now.Before(b.HeldUntil) {
		who := "org"
		if b.HeldScope == api.ScopeUser {
			who = "you"
		}
		return fmt.Sprintf("API limit reached (%s) · resets %ds", who, seconds(b.HeldUntil.Sub(now))), budgetDanger
	}
	w, ok := b.BindingWindow(now)
	if !ok {
		if !b.Known {
			return "", budgetOK
		}
		// A budget told only as its binding REST window.
		w = api.BudgetWindow{Scope: b.Scope, Window: api.Window{Known: true, Limit: b.Limit, Remaining: b.Remaining, ResetAt: b.ResetAt}}
	}
	if w.Points() && now.Before(b.GraphQLHeldUntil) {
		return fmt.Sprintf("GraphQL limit reached (%s) · resets %ds", w.Who(), seconds(b.GraphQLHeldUntil.Sub(now))), budgetDanger
	}
	text := "API " + w.Text(now)
	if !now.Before(w.ResetAt) {
		// A fresh window: no reply has said when it resets yet.
		unit := ""
		if w.Points() {
			unit = " pts"
		}
		text = fmt.Sprintf("API %d/%d%s %s", w.Remaining, w.Limit, unit, w.Who())
	}
	switch {
	case w.Points() && w.Remaining <= 0, !w.Points() && b.Known && w.Remaining <= b.Reserve:
		return text, budgetDanger
	case w.Remaining*4 < w.Limit:
		return text, budgetLow
	}
	return text, budgetOK
}

func seconds(d time.Duration) int { return max(0, int(d.Round(time.Second)/time.Second)) }

func (a *App) crumbs() string {
	st := a.c.Styles
	parts := []string{st.Crumb.Render(common.Clean(a.c.Client.Org()))}
	for i, s := range a.stack {
		c := common.Clean(s.Crumb()) // a crumb is a name from the API: cleaned here, where drawn
		if c == "" {
			continue
		}
		if i == len(a.stack)-1 {
			parts = append(parts, st.CrumbActive.Render(c))
		} else {
			parts = append(parts, st.Crumb.Render(c))
		}
	}
	return common.Fit(strings.Join(parts, st.CrumbSep.Render(" › ")), a.width)
}

// status is the footer's first line: the note prompt, a flash message,
// or the requests in flight. A flash comes first: the requests then show
// as the spinner and their number only. A flash too long for the line
// goes on over the help line (which comes back when the flash goes): at
// 80 columns an error was cut before its cause, and a batch's result
// before what was already paused (issue 29). more is that second line, or
// "" for the help; a flash too long for both ends with where to read it
// whole (:messages).
func (a *App) statusLines() (line, more string) {
	st := a.c.Styles
	if o := a.overlay; o != nil && o.Place() == component.PlaceFooter {
		return common.Fit(o.View(a.width, 1), a.width), ""
	}
	var sign string
	style := func(s string) string { return s }
	switch a.flash.Kind {
	case common.FlashOK:
		sign = st.FlashOK.Render("✓ ")
	case common.FlashError:
		sign = st.FlashError.Render("✗ ")
		style = func(s string) string { return st.FlashError.Render(s) }
	default:
		if a.flash.Text != "" {
			sign = st.FlashInfo.Render("• ")
		}
	}
	text := strings.ReplaceAll(a.flash.Text, "\n", " ")
	right := ""
	if n := len(a.c.Tasks.Label); n > 0 {
		right = a.spinner.View()
		if sign == "" {
			right += " " + st.Muted.Render(common.Fit(a.taskLabel(), max(0, a.width-3)))
			right = strings.TrimRight(right, " ")
		} else if n > 1 {
			right += st.Muted.Render(fmt.Sprintf(" %d", n))
		}
	}
	room := a.width
	if right != "" {
		room -= common.Width(right) + 1
	}
	left := ""
	if sign != "" {
		// The text goes on under itself, past the sign.
		indent := common.Width(sign)
		head, tail := cutAtWord(text, room-indent)
		left = sign + style(head)
		if tail != "" {
			room2 := a.width - indent
			if common.Width(tail) > room2 {
				const whole = " :messages"
				tail = common.Fit(tail, max(0, room2-common.Width(whole)))
				more = strings.Repeat(" ", indent) + style(tail) + st.Muted.Render(whole)
			} else {
				more = strings.Repeat(" ", indent) + style(tail)
			}
			more = common.Fit(more, a.width)
		}
	}
	if right == "" {
		return common.Fit(left, a.width), more
	}
	return common.Fit(left, max(0, room)) + " " + right, more
}

// status is the footer's first line.
func (a *App) status() string {
	line, _ := a.statusLines()
	return line
}

// cutAtWord splits plain text at the last space that leaves its head at
// most width columns wide (mid-word only when there is no such space).
func cutAtWord(s string, width int) (head, tail string) {
	if width <= 0 {
		return "", s
	}
	if common.Width(s) <= width {
		return s, ""
	}
	head = ansi.Truncate(s, width, "")
	if i := strings.LastIndex(head, " "); i > 0 {
		return strings.TrimRight(s[:i], " "), strings.TrimLeft(s[i+1:], " ")
	}
	return head, s[len(head):]
}

// taskLabel names the requests in flight: the oldest, and how many more.
func (a *App) taskLabel() string {
	first := 0
	for id := range a.c.Tasks.Label {
		if first == 0 || id < first {
			first = id
		}
	}
	label := common.Clean(a.c.Tasks.Label[first]) // labels name things from the API
	if n := len(a.c.Tasks.Label); n > 1 {
		label = fmt.Sprintf("%s (+%d more)", label, n-1)
	}
	// A read that waits for the window is not loading: the spinner says
	// what it waits for (a bulk read of the agents waits minutes).
	if w := a.c.Client.Budget().WaitText(a.c.Client.Now()); w != "" {
		label += " · " + w
	}
	return label
}

// helpLine is the short help: the global keys, then the screen's. When
// that is wider than the window, what matters is kept: the screen's keys
// in their order as far as they fit, then esc back, and ? for the rest
// (the full help lists every key; q still quits).
func (a *App) helpLine() string {
	st := a.c.Styles
	k := a.c.Keys
	// KeyOffIn is asked once a binding: the memo's key holds its answer.
	off := map[*key.Binding]bool{}
	draw := func(b *key.Binding) string {
		h := b.Help()
		if off[b] {
			return st.KeyOff.Render(h.Key + " " + h.Desc)
		}
		return st.Key.Render(h.Key) + " " + st.Help.Render(h.Desc)
	}
	capturing := a.top().Capturing()
	var global []key.Binding
	if !capturing {
		global = append(global, k.Help, k.Quit)
	}
	var screen []key.Binding
	var back *key.Binding
	for _, b := range a.top().Help() {
		if b.Help().Key == "" {
			continue
		}
		if b.Help().Key == k.Back.Help().Key && b.Help().Desc == k.Back.Help().Desc {
			back = &b
			continue
		}
		screen = append(screen, b)
	}
	// The line is drawn from the bindings' help, whether each is off, the
	// width and the styles (a change of styles forgets the memo): the
	// same as the last frame's, it is the last frame's line.
	var memo strings.Builder
	fmt.Fprintf(&memo, "%d %t %s\x00", a.width, capturing, k.Help.Help().Key)
	note := func(b *key.Binding) {
		off[b] = a.c.KeyOffIn(a.top(), *b)
		h := b.Help()
		fmt.Fprintf(&memo, "%s\x00%s\x00%t\x00", h.Key, h.Desc, off[b])
	}
	for i := range global {
		note(&global[i])
	}
	for i := range screen {
		note(&screen[i])
	}
	memo.WriteString("back\x00")
	if back != nil {
		note(back)
	}
	if memo.String() == a.helpMemo.key {
		return a.helpMemo.line
	}
	line := a.drawHelpLine(global, screen, back, draw)
	a.helpMemo = helpLineMemo{key: memo.String(), line: line}
	return line
}

// helpLineMemo is the last help line and what it was drawn from: a frame
// is drawn for every message, the line changes far less often, and its
// drawing was a tenth of a frame's.
type helpLineMemo struct {
	key, line string
}

func (a *App) drawHelpLine(global, screen []key.Binding, back *key.Binding, draw func(*key.Binding) string) string {
	st := a.c.Styles
	k := a.c.Keys
	capturing := a.top().Capturing()
	sep := st.Muted.Render(" · ")
	var parts []string
	for i := range global {
		parts = append(parts, draw(&global[i]))
	}
	for i := range screen {
		parts = append(parts, draw(&screen[i]))
	}
	if back != nil {
		parts = append(parts, draw(back))
	}
	line := strings.Join(parts, sep)
	if common.Width(line) <= a.width || capturing {
		return common.Fit(line, a.width)
	}
	var tail []string
	if back != nil {
		tail = append(tail, draw(back))
	}
	tail = append(tail, st.Key.Render(k.Help.Help().Key)+" "+st.Help.Render("more"))
	room := a.width - common.Width(strings.Join(tail, sep)) - common.Width(sep)
	var kept []string
	for i := range screen {
		part := draw(&screen[i])
		if w := common.Width(strings.Join(append(kept, part), sep)); w > room {
			break
		}
		kept = append(kept, part)
	}
	return common.Fit(strings.Join(append(kept, tail...), sep), a.width)
}
