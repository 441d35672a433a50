package ui

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// openJobLog opens the log of deploy-production #3's second job.
func openJobLog(d *driver) string {
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
	d.waitFor("deploy-production #3", "STEP", "Deploy")
	d.keys("j", "enter")
	return d.waitFor("T shows timestamps", "✔ Done")
}

var matchAt = regexp.MustCompile(`match (\d+) of (\d+)`)

// at is the match on show and how many there are, from the header.
func at(t *testing.T, frame string) (int, int) {
	t.Helper()
	m := matchAt.FindStringSubmatch(frame)
	if m == nil {
		t.Fatalf("no match said:\n%s", frame)
	}
	i, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	return i, n
}

// A job's log: / searches it, n and N go from match to match (around the
// end), esc clears the search before it leaves (issue 29, 16).
func TestJobLogSearch(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 80, height: 24})
	openJobLog(d)
	d.keys("g", "/")
	d.typeText("MAKE")
	d.keys("enter")
	first, n := at(t, d.waitFor("/MAKE: match"))
	if first != 1 || n < 3 {
		t.Fatalf("from the top, match %d of %d", first, n)
	}
	d.keys("n")
	if i, _ := at(t, d.waitFor("/MAKE: match")); i != 2 {
		t.Fatalf("n went to match %d", i)
	}
	d.keys("N", "N")
	if i, _ := at(t, d.waitFor("/MAKE: match")); i != n {
		t.Fatalf("N from the first went to match %d of %d, want the last", i, n)
	}
	d.keys("/")
	d.typeText("no such text")
	d.keys("enter")
	d.waitFor("/no such text: no line of the log on show holds it")
	d.keys("esc")
	frame := d.waitFor("T shows timestamps")
	if strings.Contains(frame, "/no such text") || !strings.Contains(frame, "Integration tests") {
		t.Fatalf("esc did not clear the search, or left the log:\n%s", frame)
	}
	d.keys("w")
	d.waitFor("w wraps (←/→ scroll)")
	d.keys("esc")
	d.waitFor("deploy-production #3", "EXIT")
}

// w cuts a job log's long lines instead of wrapping them, and back.
func TestJobLogWrapToggle(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 50, height: 40})
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
	d.waitFor("deploy-production #3", "STEP", "Deploy")
	d.keys("j", "enter")
	frame := d.waitFor("✔ Done", "0.374s")
	if !strings.Contains(frame, "0.374s") {
		t.Fatalf("a long line is not wrapped:\n%s", frame)
	}
	d.keys("w")
	d.waitUntil("cut its long lines", false, func(frame string) bool {
		return strings.Contains(frame, "✔ Done") && !strings.Contains(frame, "0.374s")
	})
	d.keys("w")
	d.waitFor("0.374s")
}

// ? shows the keys of the screen in front, not every key of the console,
// fits 80×24 without cutting words in two or garbling what read-only
// mode turned off, scrolls to what the columns mean, and closes on esc
// (issue 29, 8 and 9).
func TestHelpIsTheScreensOwnFitsAndScrolls(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 24, readOnly: true})
	openMobile(d)
	d.keys("?")
	frame := d.waitFor("Keys of Mobile", "Everywhere")
	for _, want := range []string{"n          new · read-only", "p          pause/resume · read-only", "space      mark",
		"O          sort by next column", "lines 1–"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the help lacks %q:\n%s", want, frame)
		}
	}
	for _, not := range []string{"add webhook", "stop agent", "timestamps", "(read-only)?"} {
		if strings.Contains(frame, not) {
			t.Errorf("the queues' help shows %q:\n%s", not, frame)
		}
	}
	for _, line := range strings.Split(frame, "\n") {
		if w := lipgloss.Width(line); w > 80 {
			t.Errorf("a line of %d columns: %q", w, line)
		}
	}
	d.keys("G")
	frame = d.waitFor("What the columns say", "AGENTS busy/connected", "WAITING 14 29m")
	if !strings.Contains(frame, "not counted yet") {
		t.Errorf("the help does not tell the two … apart:\n%s", frame)
	}
	d.keys("esc")
	d.waitFor("Queues (3)")

	// The log's help is the log's keys.
	d2, _ := liveDriver(t, driverOptions{width: 80, height: 24})
	openJobLog(d2)
	d2.keys("?")
	frame = d2.waitFor("Keys of 🔍 Integration tests")
	for _, want := range []string{"/          search", "w          wrap lines", "f          follow", "T          timestamps"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the log's help lacks %q:\n%s", want, frame)
		}
	}
	for _, not := range []string{"pause/resume", "add webhook", "new", "delete"} {
		if strings.Contains(frame, not) {
			t.Errorf("the log's help shows %q:\n%s", not, frame)
		}
	}
}

// O sorts a cluster's queues by the next column on show, WAITING among
// them (by the count, then the oldest wait), and the header says which
// way; I turns it (issue 29, 13).
func TestQueuesSortByWaiting(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 80, height: 24})
	openMobile(d)
	d.waitFor("AGENTS", "21 27m", "7 9m")
	for range 4 { // KEY, STATE, AGENTS, WAITING: the columns shown at 80
		d.keys("O")
	}
	frame := d.waitFor("WAITING↑")
	rows := func(f string) []string {
		var keys []string
		table := strings.SplitN(f, "KEY", 2)[1]
		for _, line := range strings.Split(table, "\n")[1:] {
			if l := strings.TrimPrefix(line, "› "); strings.HasPrefix(l, "default") || strings.HasPrefix(strings.TrimSpace(l), "macos") {
				keys = append(keys, strings.Fields(l)[0])
			}
		}
		return keys
	}
	up := rows(frame)
	d.keys("I")
	down := rows(d.waitFor("WAITING↓"))
	if len(up) != 3 || len(down) != 3 || down[0] != "macos" || up[2] != "macos" {
		t.Fatalf("sorted by WAITING: up %v, down %v:\n%s", up, down, frame)
	}
}

// enter on an agent shows its detail: its queue, its job, where it runs,
// since when, its tags; enter there opens its job's build (issue 29, 15).
func TestAgentDetail(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 80, height: 24})
	openQueue(d, "Mobile", "macos-large")
	d.waitFor("Agents (2)", "busy")
	d.keys("enter")
	frame := d.waitFor("Queue", "Mobile › macos-large", "IP", "Tags", "Connected", "Version")
	if !strings.Contains(frame, "acme › Mobile › macos-large › ") || !strings.Contains(frame, "started") {
		t.Fatalf("the agent's detail:\n%s", frame)
	}
	d.keys("enter")
	d.waitFor("STEP", "EXIT")
}

// At 80×24 a refused value's message is whole, in the preview and under
// the form, and the focused field's label is on screen (issue 29, 11).
func TestFormErrorsAreWholeAt80x24(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 24})
	openTokens(d, "Mobile")
	d.keys("n")
	d.waitFor("New agent token")
	d.p.Send(tea.PasteMsg{Content: "CI"})
	d.formKeys("enter")
	d.p.Send(tea.PasteMsg{Content: "next week"})
	d.formKeys("enter")
	frame := d.waitFor("is not a time")
	if n := strings.Count(strings.Join(strings.Fields(frame), " "), "or a span such as 90d"); n < 2 {
		t.Errorf("the message is cut (%d whole):\n%s", n, frame)
	}
	if !strings.Contains(frame, "┃ Expires") || strings.Contains(frame, "Expires *") {
		t.Errorf("the focused field's label is lost or marked as required:\n%s", frame)
	}
}
