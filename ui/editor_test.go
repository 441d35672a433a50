package ui

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// markingEditor makes $EDITOR and $VISUAL a script that leaves a line in
// a mark file each time it runs, and returns the mark file's path.
func markingEditor(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mark := filepath.Join(dir, "editor-ran")
	script := filepath.Join(dir, "editor")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$0 $*\" >> '"+mark+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", script)
	t.Setenv("VISUAL", script)
	return mark
}

func noMark(t *testing.T, mark string, execs *atomic.Int32) {
	t.Helper()
	if b, err := os.ReadFile(mark); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a program was started on the server: %q (%v)", b, err)
	}
	if n := execs.Load(); n != 0 {
		t.Errorf("%d tea.Exec messages reached the program", n)
	}
}

// ctrlEIn waits for the multi-line field titled title to have the focus,
// checks that the help does not offer the editor, and presses ctrl+e in
// it, letting the key land.
func (d *driver) ctrlEIn(title string) {
	d.t.Helper()
	frame := d.waitShown("┃ " + title)
	if strings.Contains(frame, "open editor") || strings.Contains(frame, "ctrl+e") {
		d.t.Errorf("%s: the help offers the editor over SSH:\n%s", title, frame)
	}
	d.formKeys("ctrl+e")
}

func remoteDriver(t *testing.T) (*driver, *atomic.Int32) {
	execs := &atomic.Int32{}
	return startDriver(t, driverOptions{width: 120, height: 50, remote: true, execs: execs}), execs
}

// Over SSH huh's ctrl+e started $EDITOR (else nano) as a process of the
// server, attached to the session (issue 24): in every multi-line field
// of every form it does nothing, is not offered in the help, and no
// program is started.
func TestRemoteBuildFormStartsNoEditor(t *testing.T) {
	mark := markingEditor(t)
	d, execs := remoteDriver(t)
	openPipeline(d, "checkout", "Checkout")
	d.keys("tab")
	d.waitFor("Builds (")
	d.keys("n")
	d.waitFor("New build of checkout", "Environment")
	d.formKeys("enter", "enter", "enter") // branch, commit, message
	d.ctrlEIn("Environment")
	d.waitShown("┃ Environment") // the form is still there, nothing over it
	noMark(t, mark, execs)
}

func TestRemoteNewPipelineFormStartsNoEditor(t *testing.T) {
	mark := markingEditor(t)
	d, execs := remoteDriver(t)
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("Editor Probe")
	d.formKeys("enter", "enter", "enter") // name, slug, cluster
	d.typeText("git@github.com:acme-inc/probe.git")
	d.formKeys("enter", "enter", "enter")          // repository, branch, description
	d.formKeys("enter", "enter", "enter", "enter") // visibility, tags, teams, their access
	d.ctrlEIn("Teams by UUID")
	d.formKeys("enter", "enter") // teams by UUID; steps: YAML
	d.ctrlEIn("Configuration")
	d.formKeys("shift+tab") // back to the choice of steps
	d.waitShown("YAML configuration (recommended)")
	d.formKeys("down", "enter") // visual steps
	d.ctrlEIn("Visual steps")
	noMark(t, mark, execs)
}

func TestRemoteEditPipelineFormStartsNoEditor(t *testing.T) {
	mark := markingEditor(t)
	d, execs := remoteDriver(t)
	openPipeline(d, "checkout", "Checkout")
	d.keys("e")
	d.waitFor("What do you want to change?")
	d.formKeys("down", "space", "down", "space", "enter") // Steps and Builds
	d.ctrlEIn("Configuration")
	d.formKeys("tab")
	d.waitShown("┃ Branch filter")
	d.formKeys("enter", "enter", "enter", "enter", "enter") // branch filter, skip, its filter, cancel, its filter
	d.ctrlEIn("Environment")
	noMark(t, mark, execs)
}

// Locally ctrl+e keeps its editor: the help offers it, and the key asks
// bubbletea to run it (the driver counts the request; a real program
// runs what such a request names: TestRemoteFilterStartsNoProgram's
// control run).
func TestLocalFormKeepsTheEditor(t *testing.T) {
	execs := &atomic.Int32{}
	d := startDriver(t, driverOptions{width: 120, height: 50, execs: execs})
	openPipeline(d, "checkout", "Checkout")
	d.keys("tab")
	d.waitFor("Builds (")
	d.keys("n")
	d.waitFor("New build of checkout", "Environment")
	d.formKeys("enter", "enter", "enter")
	d.waitShown("┃ Environment", "ctrl+e open editor")
	d.keys("ctrl+e")
	d.waitUntil("asked to run the editor", true, func(string) bool { return execs.Load() > 0 })
	if n := execs.Load(); n != 1 {
		t.Fatalf("%d exec messages", n)
	}
	d.waitShown("┃ Environment")
}

// Over SSH ctrl+v in a text input pasted what `xclip -o` (or xsel,
// wl-paste) printed: a program of the server, and the server's
// clipboard. It is refused and said; the person's terminal pastes.
func TestRemoteServerClipboardKeysAreRefused(t *testing.T) {
	d, _ := remoteDriver(t)
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.keys("ctrl+v")
	d.waitFor("over SSH, paste with your terminal's paste: ctrl+v would use the server's clipboard")
	d.p.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl | tea.ModShift})
	d.waitFor("ctrl+shift+c would use the server's clipboard")
	// The terminal's own paste still reaches the field.
	d.p.Send(tea.PasteMsg{Content: "Pasted Name"})
	d.waitFor("slug: pasted-name")
}

// markingProgram is a model whose first command asks bubbletea to run
// cmd in the terminal, then quits: the quit arrives after the exec
// message has been handled (a sequence sends its messages in order).
type markingProgram struct {
	cmd     *exec.Cmd
	flashes []string
}

type execDone struct{}

func (m *markingProgram) Init() tea.Cmd {
	return tea.Sequence(tea.ExecProcess(m.cmd, nil), func() tea.Msg { return execDone{} })
}

func (m *markingProgram) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case execDone:
		return m, tea.Quit
	case common.FlashMsg:
		m.flashes = append(m.flashes, msg.Text)
	}
	return m, nil
}

func (m *markingProgram) View() tea.View { return tea.NewView("") }

// runMarking runs a real program whose first command is tea.ExecProcess
// of a script leaving a mark; filter, when set, is the program's filter.
// It reports whether the mark was left, and the flashes the model saw.
func runMarking(t *testing.T, filter func(tea.Model, tea.Msg) tea.Msg) (bool, []string) {
	t.Helper()
	dir := t.TempDir()
	mark := filepath.Join(dir, "ran")
	script := filepath.Join(dir, "prog")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ntouch '"+mark+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := &markingProgram{cmd: exec.Command(script)}
	opts := []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignals(), tea.WithWindowSize(80, 24)}
	if filter != nil {
		opts = append(opts, tea.WithFilter(filter))
	}
	if _, err := tea.NewProgram(m, opts...).Run(); err != nil {
		t.Fatal(err)
	}
	_, err := os.Stat(mark)
	return err == nil, m.flashes
}

// RemoteFilter, the filter of a console served over SSH, stops every
// tea.Exec: whatever a widget asks for, no program of the server starts.
func TestRemoteFilterStartsNoProgram(t *testing.T) {
	if ran, _ := runMarking(t, nil); !ran {
		t.Fatal("without the filter the program did not run: the test proves nothing")
	}
	ran, flashes := runMarking(t, RemoteFilter)
	if ran {
		t.Fatal("a program was started through RemoteFilter")
	}
	if len(flashes) != 1 || flashes[0] != "over SSH no program is started on the server" {
		t.Fatalf("flashes %q", flashes)
	}
	// Every other message passes unchanged.
	if got := RemoteFilter(nil, execDone{}); got != (execDone{}) {
		t.Fatalf("RemoteFilter(execDone) = %#v", got)
	}
}

// tea.Suspend would send SIGTSTP to the server's process group: every
// session stopped. It resumes at once, as wish's own filter has it (not
// run in a real program here: unfiltered, it would stop the test's
// process group too).
func TestRemoteFilterNeverSuspendsTheServer(t *testing.T) {
	if got := RemoteFilter(nil, tea.Suspend()); got != (tea.ResumeMsg{}) {
		t.Fatalf("RemoteFilter(SuspendMsg) = %#v", got)
	}
}
