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

// The README says, beside the demo's command, that its first run takes
// minutes (modules and a build) and later ones seconds: a newcomer would
// otherwise take the silent first build for a hang (issue 29, 26).
func TestReadmeSaysTheFirstDemoRunTakesMinutes(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	demo := strings.Index(readme, "go run . --demo")
	if demo < 0 {
		t.Fatal("the README does not give `go run . --demo`")
	}
	next := strings.Index(readme[demo:], "go test -race ./...")
	if next < 0 {
		t.Fatal("the README gives no test command after the demo's")
	}
	between := strings.Join(strings.Fields(readme[demo:demo+next]), " ")
	for _, want := range []string{"The first run downloads the modules and compiles everything", "minutes", "later runs"} {
		if !strings.Contains(between, want) {
			t.Errorf("between the demo's command and the tests' the README does not say %q:\n%s", want, between)
		}
	}
}
