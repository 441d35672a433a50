package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
)

// envAsProgram makes the test binary run as kiteconsole itself (see
// TestHelperRunAsKiteconsole): a shell's completion script calls the
// program by name.
const envAsProgram = "KITECONSOLE_TEST_RUN_AS_PROGRAM"

// TestHelperRunAsKiteconsole is not a test: run by a test with
// envAsProgram set, it is the kiteconsole command line, its arguments
// after "--".
func TestHelperRunAsKiteconsole(t *testing.T) {
	if os.Getenv(envAsProgram) != "1" {
		return
	}
	args := os.Args[slices.Index(os.Args, "--")+1:]
	os.Exit(Execute(context.Background(), args, os.Stdout, os.Stderr, os.Getenv))
}

// syncBuffer is what a terminal has shown, written by one goroutine and
// read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The probe's attack, in an interactive bash with the completion script
// kiteconsole generates: two clusters named `$(touch pwned)a` and
// `$(touch pwned)b`. At the first Tab bash inserted their common start,
// `$(touch pwned)`, unquoted; at the second cobra's script evaluated the
// command line and ran it. Now they are offered by their ids (described
// by a cleaned name) and nothing runs.
func TestBashCompletionRunsNothingFromAClusterName(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed to run the completion script: ", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	e := startCLI(t, sandbox.SizeEmpty, nil)
	ctx := context.Background()
	var ids []string
	for _, name := range []string{"$(touch pwned)a", "$(touch pwned)b"} {
		c, err := e.Client.CreateCluster(ctx, model.ClusterCreate{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	dir := t.TempDir()
	var script bytes.Buffer
	if code := Execute(ctx, []string{"completion", "bash"}, &script, &script, noEnv); code != 0 {
		t.Fatalf("completion bash: exit %d", code)
	}
	rc := filepath.Join(dir, "rc.bash")
	// Without the bash-completion package, cobra's script needs
	// _get_comp_words_by_ref: the minimal one here splits as bash does.
	rcText := `PS1='$ '
kiteconsole() { ` + envAsProgram + `=1 "$KC_TEST_BINARY" -test.run='^TestHelperRunAsKiteconsole$' -- "$@"; }
if ! declare -F _get_comp_words_by_ref >/dev/null; then
  _get_comp_words_by_ref() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
fi
` + script.String()
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "--noprofile", "--rcfile", rc, "-i")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TERM=dumb", "INPUTRC=/dev/null", "HISTFILE=/dev/null",
		"KC_TEST_BINARY=" + self, EnvToken + "=" + e.token, EnvOrg + "=" + e.Sandbox.Org(), EnvEndpoint + "=" + e.Server.URL,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state")}
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	var shown syncBuffer
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(&shown, term)
	}()
	waitFor := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !strings.Contains(shown.String(), want); {
			if time.Now().After(deadline) {
				t.Fatalf("the shell never showed %q:\n%s", want, shown.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The shell reads its input in order: what is typed after a line's
	// Tabs runs after its completions, and says so ("done-N", which the
	// typed line does not show).
	say := func(what string, n int) {
		fmt.Fprintf(term, "echo %s-$((%d+1))\n", what, n-1)
		waitFor(fmt.Sprintf("%s-%d\r\n", what, n))
	}
	say("ready", 1)
	var ran []string
	for i, line := range []string{"kiteconsole queue list --cluster ", "kiteconsole queue pause "} {
		fmt.Fprintf(term, "%s\t\t\x15", line) // Tab twice, then clear the line
		say("done", i+1)
		if err := os.Remove(filepath.Join(dir, "pwned")); err == nil {
			ran = append(ran, line)
		}
	}
	fmt.Fprint(term, "exit\n")
	_ = cmd.Wait()
	term.Close()
	<-copied
	if len(ran) > 0 {
		t.Fatalf("completing %q ran a command from a cluster's name:\n%s", ran, shown.String())
	}
	for _, id := range ids {
		if !strings.Contains(shown.String(), id) {
			t.Fatalf("the shell did not list the cluster %s (did completion run?):\n%s", id, shown.String())
		}
	}
}
