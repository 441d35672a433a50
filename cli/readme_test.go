package cli

import (
	"os"
	"strings"
	"testing"
)

// readmeSection is the text of the README's "## title" section.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("the README has no %q section", title)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func TestReadmeInstallWorksFromAClone(t *testing.T) {
	install := readmeSection(t, "Install")
	clone := strings.Index(install, "go install .")
	remote := strings.Index(install, "@latest")
	if clone < 0 {
		t.Fatalf("the install section does not give `go install .`:\n%s", install)
	}
	if remote >= 0 && remote < clone {
		t.Fatalf("the remote install, which cannot fetch the module yet, comes first:\n%s", install)
	}
}

func TestReadmeDocumentsTheExitCodesAsTheHelpDoes(t *testing.T) {
	runbook := readmeSection(t, "From a runbook: the command line")
	for _, code := range []string{"| `0` | every target is in the asked state", "| `1` | something failed", "| `2` | usage", "| `3` | refused"} {
		if !strings.Contains(runbook, code) {
			t.Errorf("the README lacks exit code row %q", code)
		}
	}
	for _, line := range strings.Split(exitCodesHelp, "\n")[1:] {
		code := strings.Fields(line)[0]
		if strings.Trim(code, "0123456789") != "" {
			continue // a code's second line
		}
		if !strings.Contains(runbook, "| `"+code+"` |") {
			t.Errorf("--help's exit code %s is not in the README", code)
		}
	}
}
