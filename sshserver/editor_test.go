package sshserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// noProgramChildEnv tells this test binary, run again by
// TestSSHSessionsStartNoProgramOnTheServer, that it is the server's
// process: its PATH starts with programs that leave a mark.
const noProgramChildEnv = "KITECONSOLE_NO_PROGRAM_CHILD"

// markingPrograms are the programs a console could start on the server:
// huh's external editor ($EDITOR, $VISUAL, else nano), the clipboard
// tools of bubbles' ctrl+v and ctrl+shift+c (atotto/clipboard), the
// opener of o, and tmux (colorprofile asks `tmux info` when TMUX is set).
var markingPrograms = []string{"editor", "nano", "vi", "vim", "xclip", "xsel", "wl-paste", "wl-copy",
	"termux-clipboard-get", "termux-clipboard-set", "xdg-open", "open", "tmux"}

// With $EDITOR and $VISUAL set to a program that leaves a mark, and every
// program a console could start on the server doing the same, an
// operator's sessions press ctrl+e in every multi-line field of every
// form (a build's environment, a new pipeline's teams, YAML and visual
// steps, an edited pipeline's YAML and environment), ctrl+v and
// ctrl+shift+c in a field, o on a pipeline and :org, with TMUX set: no
// mark is left (issue 24). The server runs in a process of its own, this binary
// run again with the marking programs first on its PATH: the clipboard
// tools are looked up when the program starts.
func TestSSHSessionsStartNoProgramOnTheServer(t *testing.T) {
	if os.Getenv(noProgramChildEnv) != "" {
		operatorPressesEveryKey(t)
		return
	}
	dir := t.TempDir()
	bin, mark := filepath.Join(dir, "bin"), filepath.Join(dir, "marks")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range markingPrograms {
		script := "#!/bin/sh\necho \"" + name + " $*\" >> '" + mark + "'\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	child := exec.Command(os.Args[0], "-test.run=^TestSSHSessionsStartNoProgramOnTheServer$", "-test.count=1", "-test.v")
	child.Env = append(os.Environ(), noProgramChildEnv+"=1", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"EDITOR="+filepath.Join(bin, "editor"), "VISUAL="+filepath.Join(bin, "editor"))
	out, err := child.CombinedOutput()
	if b, err := os.ReadFile(mark); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("programs were started on the server:\n%s(%v)", b, err)
	}
	if err != nil {
		t.Fatalf("the sessions: %v\n%s", err, out)
	}
}

// operatorPressesEveryKey is the server's side of the test above, in the
// process whose PATH holds the marking programs.
func operatorPressesEveryKey(t *testing.T) {
	if _, err := exec.LookPath("xclip"); err != nil || !strings.Contains(os.Getenv("EDITOR"), "editor") {
		t.Fatalf("the marking programs are not first on the PATH: %v", err)
	}
	h := startServer(t)
	const (
		enter, tab, shiftTab, down = "\r", "\t", "\x1b[Z", "\x1b[B"
		ctrlE, ctrlV, ctrlShiftC   = "\x05", "\x16", "\x1b[99;6u"
	)

	// A build's environment, with :org, o, ctrl+v and ctrl+shift+c on the way.
	tm := h.openWithEnv(h.operator, "olga", "TMUX", "/tmp/tmux-0/default,1,0")
	// No other organisation: no token_command of the configuration runs
	// for a session.
	tm.press(":org" + enter).waitFor("configure more in config.yaml")
	tm.openPipeline("checkout", "Checkout")
	tm.press("o").waitFor("not opened")
	tm.press(tab).waitFor("MESSAGE")
	tm.press("n").waitFor("New build of checkout")
	tm.press(ctrlV, ctrlShiftC).handled()
	tm.press(enter, enter, enter).multiLine("Environment") // branch, commit, message
	tm.press(ctrlE).handled()
	tm.close()

	// A new pipeline's teams by UUID, YAML and visual steps.
	tm = h.openWithEnv(h.operator, "olga", "TMUX", "/tmp/tmux-0/default,1,0")
	tm.press(":pipelines" + enter).waitFor("API Gateway")
	tm.press("n").waitFor("New pipeline")
	// Letters typed before the focus has moved would land in the field
	// before it (huh moves it with a command of its own): each field that
	// is typed in is waited for, by its help.
	tm.press("Editor Probe", enter, enter).waitFor("↓") // the slug (left empty); the cluster, a choice
	tm.press(enter).waitFor("enter next")               // the repository
	tm.press("git@github.com:acme-inc/probe.git", enter, enter, enter, enter, enter, enter, enter).
		multiLine("Teams by UUID") // repository, branch, description, visibility, tags, teams, access
	tm.press(ctrlE)
	tm.press(enter, enter).multiLine("Configuration") // teams by UUID; steps: YAML
	tm.press(ctrlE)
	tm.press(shiftTab).waitFor("recommended")
	tm.press(down, enter).multiLine("Visual steps")
	tm.press(ctrlE).handled()
	tm.close()

	// An edited pipeline's YAML and environment.
	tm = h.openWithEnv(h.operator, "olga", "TMUX", "/tmp/tmux-0/default,1,0")
	tm.openPipeline("checkout", "Checkout")
	tm.press("e").waitFor("What do you want to change?")
	tm.press(down, " ", down, " ", enter).multiLine("Configuration") // Steps and Builds
	tm.press(ctrlE)
	tm.press(tab).waitFor("Branch filter")
	tm.press(enter, enter, enter, enter, enter).multiLine("Environment") // filters, skip, cancel
	tm.press(ctrlE).handled()
	tm.close()
}

// multiLine waits for the multi-line field titled title to take the
// focus. The renderer draws only what changed: the help of multi-line
// fields ("new line") when the field before was another kind, the title
// with the focus bar when the group is newly shown.
func (c *sshConsole) multiLine(title string) {
	c.t.Helper()
	c.waitForAny("new line", "┃ "+title)
}

// sshConsole is a terminal of the test above: keys, and what arrives
// after them.
type sshConsole struct {
	*terminal
	client *gossh.Client
	// since is where in what the terminal received the last keys' effect
	// is looked for.
	since int
}

// openWithEnv opens an operator's session as harness.open does, with an
// environment variable sent before the shell is asked for.
func (h *harness) openWithEnv(signer gossh.Signer, user, name, value string) *sshConsole {
	h.t.Helper()
	tm, client := h.openSized(signer, user, 50, 120, [][2]string{{name, value}})
	c := &sshConsole{terminal: tm, client: client}
	c.waitFor("Production")
	return c
}

// press sends keys, each its own write, and marks where their effect
// starts.
func (c *sshConsole) press(keys ...string) *sshConsole {
	c.t.Helper()
	c.since = len(c.received())
	for _, k := range keys {
		c.keys(k)
	}
	return c
}

// waitFor waits until text arrives after the last keys: the renderer
// writes what changed, styles between letters, so the text is looked for
// in what arrived without its escape sequences.
func (c *sshConsole) waitFor(text string) {
	c.t.Helper()
	c.waitForAny(text)
}

// waitForAny waits until one of texts arrives after the last keys.
func (c *sshConsole) waitForAny(texts ...string) {
	c.t.Helper()
	defer func() {
		if c.t.Failed() {
			c.t.Logf("received after the keys: %q", c.received()[c.since:])
		}
	}()
	eventually(c.t, fmt.Sprintf("the screen to show one of %q", texts), func() bool {
		got := ansi.Strip(c.received()[c.since:])
		return slices.ContainsFunc(texts, func(text string) bool { return strings.Contains(got, text) })
	})
}

// handled types a letter into the focused field and waits for it: every
// key before it has been handled, and a program one of them started
// would have run (an exec holds the console's loop until it ends; the
// paste of ctrl+v runs at once). One letter, as the renderer draws a
// word typed as it grows.
func (c *sshConsole) handled() {
	c.t.Helper()
	c.press("Ж").waitFor("Ж")
}

func (c *sshConsole) openPipeline(filter, name string) {
	c.t.Helper()
	c.press(":pipelines\r").waitFor("API Gateway")
	c.press("/" + filter + "\r").waitFor(name)
	c.press("\r").waitFor("Skip queued")
}

func (c *sshConsole) close() {
	_ = c.sess.Close()
	_ = c.client.Close()
}
