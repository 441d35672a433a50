// Package weburl decides which web_url the console may hand to the
// platform's opener (xdg-open, open) or copy, and names the opener. A web_url comes
// from the API and so from whoever can write to it, or from a hostile
// endpoint: `file:///etc/shadow` or `--help` must never reach the opener.
// Only https:// URLs on the endpoint's web host, or on Buildkite's, are
// opened. The opener itself is started by ui/common.OpenBrowser, never
// over SSH.
package weburl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// BuildkiteHost is Buildkite's web host, always allowed.
const BuildkiteHost = "buildkite.com"

// ErrNotAllowed is a URL the console will not open.
var ErrNotAllowed = errors.New("not a Buildkite page")

// WebHost is the web host of an API endpoint: api.buildkite.com serves
// buildkite.com, and api.example.com (a proxy) example.com; an endpoint
// whose host does not start with "api." serves its pages itself.
func WebHost(apiEndpoint string) string {
	u, err := url.Parse(apiEndpoint)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if rest, ok := strings.CutPrefix(host, "api."); ok && strings.Contains(rest, ".") {
		return rest
	}
	return host
}

// Check returns the URL to open for raw, a web_url from the API, or why
// it will not be opened: it must be an https:// URL without user
// information, on port 443, on the endpoint's web host or on Buildkite's.
func Check(raw, apiEndpoint string) (string, error) {
	u, err := checkHTTPS(raw)
	if err != nil {
		return "", err
	}
	host := strings.ToLower(u.Hostname())
	if net.ParseIP(host) != nil || (host != BuildkiteHost && host != WebHost(apiEndpoint)) {
		return refuse(fmt.Sprintf("%s is neither %s nor the endpoint's web host", host, BuildkiteHost))
	}
	return u.String(), nil
}

// CheckAPI is Check for a URL of the API itself (a token's url): an
// https:// URL, as Check wants it, on the endpoint's own host.
func CheckAPI(raw, apiEndpoint string) (string, error) {
	u, err := checkHTTPS(raw)
	if err != nil {
		return "", err
	}
	host := strings.ToLower(u.Hostname())
	endpoint, err := url.Parse(apiEndpoint)
	if err != nil || host != strings.ToLower(endpoint.Hostname()) {
		return refuse(host + " is not the API's host")
	}
	return u.String(), nil
}

func refuse(why string) (string, error) {
	return "", fmt.Errorf("%w: %s", ErrNotAllowed, why)
}

// checkHTTPS reads raw as an https:// URL without spaces, control
// characters, user information or a port other than 443.
func checkHTTPS(raw string) (*url.URL, error) {
	fail := func(why string) (*url.URL, error) {
		_, err := refuse(why)
		return nil, err
	}
	if raw == "" {
		return fail("there is no web address")
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		return fail("the address holds spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail("the address cannot be read")
	}
	if u.Scheme != "https" {
		return fail("only https:// addresses are opened")
	}
	if u.User != nil {
		return fail("the address holds a user name")
	}
	if u.Opaque != "" || u.Host == "" {
		return fail("the address has no host")
	}
	if port := u.Port(); port != "" && port != "443" {
		return fail("the address names a port")
	}
	return u, nil
}

// Command is the opener of goos and its arguments for a URL Check
// returned. xdg-open and open take no "--" (xdg-open refuses it as an
// unknown option), so none is passed: a checked URL starts with
// "https://" and cannot be read as an option.
func Command(goos, checked string) (name string, args []string) {
	switch goos {
	case "darwin":
		return "open", []string{checked}
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", checked}
	}
	return "xdg-open", []string{checked}
}

// CheckDemo returns raw when it is a page of the demo's own sandbox: the
// console started that server on a loopback address itself, so its
// addresses (http://127.0.0.1:port/…) are not someone else's text. It is
// never opened (the sandbox serves no web pages), only copied, so that o
// and y do in the demo what the README says instead of copying nothing.
func CheckDemo(raw, apiEndpoint string) (string, error) {
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		return refuse("the address holds spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Opaque != "" {
		return refuse("not an address of the demo's sandbox")
	}
	endpoint, err := url.Parse(apiEndpoint)
	ip := net.ParseIP(u.Hostname())
	if err != nil || ip == nil || !ip.IsLoopback() || !strings.EqualFold(u.Host, endpoint.Host) {
		return refuse("not an address of the demo's sandbox")
	}
	return u.String(), nil
}
