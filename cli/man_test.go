package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// The man page: a header man can lay out at 80 columns, a help text's
// paragraph as one paragraph, each shared option once, EXIT STATUS, and
// `man` listed in --help.
func TestManPageIsReadable(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Execute(context.Background(), []string{"man"}, &out, &errOut, noEnv); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	page := out.String()
	lines := strings.Split(page, "\n")
	// .TH title section date source manual: the manual's name is short
	// (a long one is overprinted by the title in man's header).
	fields := strings.SplitN(lines[0], `" "`, 3)
	if !strings.HasPrefix(lines[0], ".TH KITECONSOLE 1 ") || len(fields) != 3 || !strings.HasSuffix(lines[0], `"User Commands"`) {
		t.Errorf("header %q", lines[0])
	}
	// A paragraph of --help, wrapped by hand, is one paragraph.
	if !strings.Contains(page, "BUILDKITE_REST_API_ENDPOINT, then $XDG_CONFIG_HOME") {
		t.Errorf("the description's sentence is split:\n%s", page[:min(len(page), 1500)])
	}
	// Each option every command shares is said once (sandbox's own --org
	// is another option).
	for _, usage := range []string{"organisation slug (default $BUILDKITE_ORGANIZATION_SLUG", "the REST API's endpoint", "configuration file",
		"pages of a list fetched at once", "how long one request to the API may take", "run on the embedded sandbox's demo",
		"where changes are recorded", "refuse every change before it is sent"} {
		if n := strings.Count(page, "\n"+usage); n != 1 {
			t.Errorf("%q is said %d times", usage, n)
		}
	}
	for _, want := range []string{".SH \"EXIT STATUS\"\n", "\n.B 130\n", ".SH \"COMMANDS\"\n", ".SS \"queue pause CLUSTER/QUEUE...\"", "\\fB\\-\\-timeout\\fR"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Count(page, "Exit codes:") != 0 || strings.Count(page, "A queue is CLUSTER/QUEUE") != 1 {
		t.Errorf("the exit codes or the names' help are repeated")
	}
	// groff reads Latin-1 unless told otherwise: every character beyond
	// ASCII is named.
	for i, l := range lines {
		for _, r := range l {
			if r > 127 {
				t.Fatalf("line %d holds %q: %s", i+1, r, l)
			}
		}
	}
	if len(lines) > 500 {
		t.Errorf("%d lines", len(lines))
	}
	if h := help(t); !strings.Contains(h, "\n    man ") {
		t.Errorf("--help does not list man:\n%s", h)
	}
}

// An unknown shell is a usage error (exit 2), as any unknown argument
// is; `completion` alone prints its help.
func TestCompletionOfAnUnknownShellIsAUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Execute(context.Background(), []string{"completion", "tcsh"}, &out, &errOut, noEnv)
	if code != ExitUsage || !strings.Contains(errOut.String(), `unknown shell "tcsh"`) || !strings.Contains(errOut.String(), "bash, fish, powershell, zsh") || out.Len() != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if code := Execute(context.Background(), []string{"completion", "bash", "extra"}, io.Discard, io.Discard, noEnv); code != ExitUsage {
		t.Errorf("completion bash extra: exit %d", code)
	}
	out.Reset()
	if code := Execute(context.Background(), []string{"completion", "zsh"}, &out, io.Discard, noEnv); code != 0 || !strings.Contains(out.String(), "compdef") {
		t.Errorf("completion zsh: exit %d", code)
	}
}
