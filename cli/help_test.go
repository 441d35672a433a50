package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

func help(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if code := Execute(context.Background(), append(args, "--help"), &out, io.Discard, noEnv); code != 0 {
		t.Fatalf("%v --help: exit %d", args, code)
	}
	return out.String()
}

func TestFlagHelpSaysEachDefaultOnceAndKeepsAcronyms(t *testing.T) {
	root := help(t)
	if !strings.Contains(root, "(15s)") || strings.Contains(root, "(0s)") || strings.Contains(root, "default 15s") {
		t.Errorf("--timeout's default:\n%s", root)
	}
	if strings.Contains(root, "Rest API") || !strings.Contains(root, "REST API") {
		t.Errorf("REST was title-cased:\n%s", root)
	}
	sb := help(t, "sandbox")
	if strings.Contains(sb, "Api token") || !strings.Contains(sb, "API token") {
		t.Errorf("API was title-cased:\n%s", sb)
	}
	for _, cmd := range [][]string{{"sandbox"}, {"summary"}, {"queue", "list"}, {"pipeline", "list"}} {
		h := help(t, cmd...)
		for _, consoleOnly := range []string{"--refresh ", "--read-only "} { // the flags, not --read-only-token or the exit codes
			if strings.Contains(h, consoleOnly) {
				t.Errorf("%v --help lists the console's %s", cmd, consoleOnly)
			}
		}
	}
	if h := help(t, "sandbox"); strings.Contains(h, "--demo") || strings.Contains(h, "--audit-log") {
		t.Errorf("sandbox --help lists the console's flags:\n%s", h)
	}
	if h := help(t, "queue", "pause"); !strings.Contains(h, "--read-only") || !strings.Contains(h, "--dry-run") {
		t.Errorf("queue pause --help lacks --read-only or --dry-run")
	}
}

func TestExitCodesAreInTheHelp(t *testing.T) {
	for _, cmd := range [][]string{{}, {"queue"}, {"queue", "pause"}, {"summary"}} {
		h := help(t, cmd...)
		for _, code := range []string{"0  every target", "1  something failed", "2  usage", "3  refused"} {
			if !strings.Contains(h, code) {
				t.Errorf("%v --help lacks exit code %q", cmd, code)
			}
		}
	}
}

func TestErrorsKeepTheirOwnCaseAndNoFullStopIsAdded(t *testing.T) {
	var errOut bytes.Buffer
	Execute(context.Background(), []string{"sandbox", "--size", "huge"}, io.Discard, &errOut, noEnv)
	if !strings.Contains(errOut.String(), "--size must be") {
		t.Errorf("flag name re-cased: %q", errOut.String())
	}
	errOut.Reset()
	Execute(context.Background(), []string{"summary", "--config", "/tmp/NoSuchDir/Kiteconsole/Config.yaml"}, io.Discard, &errOut, noEnv)
	if strings.Contains(errOut.String(), "/Tmp/") {
		t.Errorf("path title-cased: %q", errOut.String())
	}
	errOut.Reset()
	Execute(context.Background(), []string{"summary"}, io.Discard, &errOut, noEnv)
	lines := strings.Split(strings.TrimRight(errOut.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != "  kiteconsole --demo" {
		t.Errorf("the command to copy ends %q", last)
	}
}

func TestSandboxLogSaysMethodPathStatusDurationAndNeverTheToken(t *testing.T) {
	sb := sandbox.New(sandbox.Options{})
	var log bytes.Buffer
	// A clock that moves 7ms between the two readings of one request.
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { at = at.Add(7 * time.Millisecond); return at }
	srv := httptest.NewServer(logRequests(sb, &log, now))
	defer srv.Close()
	for _, c := range []struct{ token, path string }{
		{sb.Token(), "/v2/organizations/acme/clusters?per_page=1"},
		{"wrong-token-value", "/v2/organizations/acme/pipelines?access_token=" + sb.Token()},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log:\n%s", log.String())
	}
	if lines[0] != "GET /v2/organizations/acme/clusters?per_page=1 200 7ms" {
		t.Errorf("line %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "GET /v2/organizations/acme/pipelines?access_token=REDACTED 401 ") {
		t.Errorf("line %q", lines[1])
	}
	if strings.Contains(log.String(), sb.Token()) || strings.Contains(log.String(), "wrong-token-value") {
		t.Fatalf("a token reached the log:\n%s", log.String())
	}
}

func TestTableColumnsAlignByDisplayWidth(t *testing.T) {
	got := alignTable([]string{"A", "B", "C"}, [][]string{{"🚀 x", "MACOS_ARM64_M4_12X56", "end"}, {"y", "s", "end"}})
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	col := -1
	for _, l := range lines[1:] {
		at := strings.Index(l, "end")
		w := len([]rune(l[:at]))
		if strings.Contains(l, "🚀") {
			w++ // the rocket is one rune and two columns
		}
		if col >= 0 && w != col {
			t.Fatalf("columns shift:\n%s", got)
		}
		col = w
	}
}
