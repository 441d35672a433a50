package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// noEnv is an empty environment whose config directory is empty too.
func noEnv(k string) string {
	if k == "XDG_CONFIG_HOME" {
		return os.TempDir() + "/kiteconsole-test-no-config"
	}
	return ""
}

func TestDemoPrintsTheOrganisation(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Execute(context.Background(), []string{"summary", "--demo"}, &out, &errOut, noEnv); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"acme (embedded demo sandbox)", "Clusters (5)", "Production", "macos", "PAUSED by Priya Natarajan", "Pipelines: 40 (4 archived)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRealAPINeedsATokenAndAnOrg(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Execute(context.Background(), []string{"summary", "--org", "acme"}, &out, &errOut, noEnv); code == 0 {
		t.Fatal("ran without a token")
	}
	if !strings.Contains(errOut.String(), "BUILDKITE_API_TOKEN") {
		t.Fatalf("the error does not say where the token comes from: %s", errOut.String())
	}
	env := func(k string) string {
		if k == EnvToken {
			return "secret-token-value"
		}
		return noEnv(k)
	}
	errOut.Reset()
	if code := Execute(context.Background(), []string{"summary"}, &out, &errOut, env); code == 0 || !strings.Contains(errOut.String(), EnvOrg) {
		t.Fatalf("no org: exit %d, %s", code, errOut.String())
	}
	if strings.Contains(errOut.String()+out.String(), "secret-token-value") {
		t.Fatal("the token was printed")
	}
}

func TestFlagsAndEnvironment(t *testing.T) {
	env := map[string]string{EnvOrg: "env-org", EnvEndpoint: "http://env.example", EnvToken: "t", "XDG_CONFIG_HOME": t.TempDir()}
	s, err := resolve(context.Background(), rootOptions{org: "flag-org"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if s.Org != "flag-org" || s.Endpoint != "http://env.example" || s.Token != "t" {
		t.Fatalf("flags first, then environment: %q %q", s.Org, s.Endpoint)
	}
}

func TestNoSettingsSaysHowToConfigure(t *testing.T) {
	var out, errOut bytes.Buffer
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	code := Execute(context.Background(), []string{"summary"}, &out, &errOut, func(k string) string { return env[k] })
	msg := errOut.String()
	if code == 0 || !strings.Contains(msg, "kiteconsole --demo") || !strings.Contains(msg, "token_command") || strings.Contains(msg, "goroutine") {
		t.Fatalf("exit %d:\n%s", code, msg)
	}
}

func TestSandboxCommandServesTheAPI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Execute(ctx, []string{"sandbox", "--listen", "127.0.0.1:0", "--org", "kite", "--token", "tok",
			"--user-token", "alex=alex-tok", "--user-token", "blair=blair-tok", "--scoped-token", "ci=read_clusters,write_agents"}, w, io.Discard, noEnv)
		w.Close()
	}()
	lines := bufio.NewScanner(r)
	var base string
	for lines.Scan() {
		line := lines.Text()
		if i := strings.Index(line, " at http://"); i >= 0 {
			base = strings.TrimSpace(line[i+4:])
			break
		}
	}
	if base == "" {
		t.Fatal("the sandbox printed no URL")
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	get := func(token string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, base+"/v2/organizations/kite/clusters", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET clusters as %s: %d", token, resp.StatusCode)
		}
		return resp
	}
	resp := get("tok")
	// The organisation's window is Buildkite's by default, and so is
	// each user's.
	if resp.Header.Get("RateLimit-Limit") != "200" || resp.Header.Get("RateLimit-Remaining") != "199" ||
		resp.Header.Get("RateLimit-User-Limit") != "50" || resp.Header.Get("RateLimit-User-Remaining") != "49" {
		t.Fatalf("rate-limit headers: %v", resp.Header)
	}
	// --user-token adds users, each with a window of its own.
	for _, tok := range []string{"alex-tok", "blair-tok"} {
		if resp := get(tok); resp.Header.Get("RateLimit-User-Remaining") != "49" {
			t.Fatalf("%s: %v", tok, resp.Header)
		}
	}
	// --scoped-token adds a token of only the scopes it names: it reads
	// clusters, and Buildkite's 403 for pipelines names the scope.
	get("ci")
	req, _ := http.NewRequest(http.MethodGet, base+"/v2/organizations/kite/pipelines", nil)
	req.Header.Set("Authorization", "Bearer ci")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "read_pipelines") {
		t.Fatalf("GET pipelines with the scoped token: %d %s", resp.StatusCode, body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after Ctrl-C", code)
	}
}

func TestSandboxFlagsAreChecked(t *testing.T) {
	var errOut bytes.Buffer
	if code := Execute(context.Background(), []string{"sandbox", "--size", "huge"}, io.Discard, &errOut, noEnv); code == 0 {
		t.Fatal("accepted --size huge")
	}
	if !strings.Contains(errOut.String(), "demo, large or empty") {
		t.Fatalf("error: %s", errOut.String())
	}
	errOut.Reset()
	if code := Execute(context.Background(), []string{"sandbox", "--rate-limit", "lots"}, io.Discard, &errOut, noEnv); code == 0 {
		t.Fatal("accepted --rate-limit lots")
	}
	if !strings.Contains(errOut.String(), "e.g. 200/1m") {
		t.Fatalf("error: %s", errOut.String())
	}
	for _, bad := range [][]string{{"--user-rate-limit", "many"}, {"--user-token", "alex"}, {"--user-token", "alex=sandbox-token"},
		{"--user-token", "a=x", "--user-token", "b=x"}} {
		errOut.Reset()
		if code := Execute(context.Background(), append([]string{"sandbox", "--listen", "127.0.0.1:0"}, bad...), io.Discard, &errOut, noEnv); code == 0 {
			t.Fatalf("accepted %v", bad)
		}
	}
}
