package weburl

import (
	"errors"
	"runtime"
	"testing"
)

func TestOnlyBuildkitePagesOverHTTPSAreOpened(t *testing.T) {
	const api = "https://api.buildkite.com"
	for _, tc := range []struct {
		raw, endpoint string
		ok            bool
	}{
		{"https://buildkite.com/organizations/acme/clusters/c1", api, true},
		{"https://BuildKite.com/acme/app", api, true},
		{"https://buildkite.com:443/acme/app", api, true},
		{"https://example.com/acme/app", "https://api.example.com", true}, // a proxy's own web host
		{"https://buildkite.com/acme/app", "https://api.example.com", true},
		{"file:///etc/shadow", api, false},
		{"--help", api, false},
		{"-a", api, false},
		{"http://buildkite.com/acme", api, false},
		{"javascript:alert(1)", api, false},
		{"https://evil.example/acme", api, false},
		{"https://buildkite.com.evil.example/acme", api, false},
		{"https://buildkite.com@evil.example/acme", api, false},
		{"https://user:pw@buildkite.com/acme", api, false},
		{"https://buildkite.com:8443/acme", api, false},
		{"https://127.0.0.1/acme", "https://127.0.0.1", false},
		{"https://buildkite.com/acme\n--help", api, false},
		{"https://buildkite.com/a b", api, false},
		{"https:buildkite.com", api, false},
		{"", api, false},
		{"https://api.buildkite.com/v2/organizations/acme", api, false},
	} {
		got, err := Check(tc.raw, tc.endpoint)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%q, %q) = %q, %v; want ok=%v", tc.raw, tc.endpoint, got, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("Check(%q): %v is not ErrNotAllowed", tc.raw, err)
		}
	}
}

func TestOpenStartsTheOpenerOnlyForACheckedURL(t *testing.T) {
	var started [][]string
	orig := start
	start = func(name string, args []string) error {
		started = append(started, append([]string{name}, args...))
		return nil
	}
	t.Cleanup(func() { start = orig })
	if err := Open("file:///etc/shadow", "https://api.buildkite.com"); err == nil {
		t.Fatal("file:// was opened")
	}
	if err := Open("https://buildkite.com/acme/app", "https://api.buildkite.com"); err != nil {
		t.Fatal(err)
	}
	want, _ := Command(runtime.GOOS, "https://buildkite.com/acme/app")
	if len(started) != 1 || started[0][0] != want || started[0][len(started[0])-1] != "https://buildkite.com/acme/app" {
		t.Fatalf("started = %q", started)
	}
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		_, args := Command(goos, "https://buildkite.com/x")
		if args[len(args)-1] != "https://buildkite.com/x" {
			t.Errorf("%s: the URL is not the last argument: %q", goos, args)
		}
	}
}
