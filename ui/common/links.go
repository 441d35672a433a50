package common

import (
	"os/exec"
	"runtime"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/weburl"
)

// browse opens a web_url from the API in the local browser. Only what
// weburl.Check allows is opened or copied (https:// on the endpoint's web
// host or Buildkite's): a web_url is written by whoever answers at the
// endpoint, and `file:///etc/shadow` or `--help` must never reach the
// opener. A refused one is said, with the reason, and not copied.
//
// Over SSH the opener is never started: it would be a program of the
// server, not of the person's machine. The URL is sent to the person's
// clipboard (OSC 52) instead, as it is where no browser can be opened.
func (c *Common) browse(url string) tea.Cmd {
	if url == "" {
		return Flash(FlashInfo, "nothing to open: the API gave no web address")
	}
	checked, err := weburl.Check(url, c.Client.Endpoint())
	if err != nil {
		if demo, ok := c.demoPage(url); ok {
			return tea.Batch(tea.SetClipboard(demo), Flash(FlashInfo, "the demo's sandbox serves no web pages: "+ClipboardSent("the address", demo)))
		}
		return Flash(FlashError, "not opened: "+Clean(err.Error()))
	}
	if c.Remote {
		return tea.Batch(tea.SetClipboard(checked), Flash(FlashInfo, "over SSH nothing is opened on the server: "+ClipboardSent("the address", checked)))
	}
	if err := OpenBrowser(checked); err == nil {
		return Flash(FlashOK, "opened "+Clean(checked))
	}
	return tea.Batch(tea.SetClipboard(checked), Flash(FlashInfo, "no browser here: "+ClipboardSent("the address", checked)))
}

// LinkKey handles o, y and Y for an item with a web page and an ID, and
// reports whether the key was one of them.
func (c *Common) LinkKey(msg tea.KeyPressMsg, what, webURL, id string) (tea.Cmd, bool) {
	k := c.Keys
	switch {
	case key.Matches(msg, k.Browse):
		return c.browse(webURL), true
	case key.Matches(msg, k.CopyURL):
		return c.CopyURL("the "+what+"'s URL", webURL), true
	case key.Matches(msg, k.CopyID):
		return c.CopyText("the "+what+"'s ID", id), true
	}
	return nil, false
}

// CopyText sends a value of one line (an ID, a token) to the clipboard
// with OSC 52, which reaches the user's own clipboard through SSH and
// tmux when the terminal allows it. The value comes from the API: what is
// pasted must be what was shown, so escape sequences, control characters
// (a newline would run a pasted line in a shell at once) and invisible
// marks are removed, and the flash says so.
func (c *Common) CopyText(what, text string) tea.Cmd {
	clean := ClipboardText(text)
	if clean == "" {
		return Flash(FlashInfo, "nothing to copy")
	}
	said := ClipboardSent(what, clean)
	if clean != text {
		said += " (control characters removed)"
	}
	return tea.Batch(tea.SetClipboard(clean), Flash(FlashOK, said))
}

// CopyURL sends a web_url from the API to the clipboard only if `o` would
// open it (weburl.Check: https:// on the endpoint's web host or
// Buildkite's, no control characters): a web_url is written by whoever
// answers at the endpoint, and "https://x\ncurl … | sh", file:// or
// javascript: must not reach a clipboard a shell will be pasted from. A
// refused one is said, with the reason.
func (c *Common) CopyURL(what, raw string) tea.Cmd {
	return c.copyChecked(what, raw, weburl.Check)
}

// CopyAPIURL is CopyURL for a URL of the API itself (a token's url):
// https:// on the endpoint's host (weburl.CheckAPI).
func (c *Common) CopyAPIURL(what, raw string) tea.Cmd {
	return c.copyChecked(what, raw, weburl.CheckAPI)
}

func (c *Common) copyChecked(what, raw string, check func(raw, apiEndpoint string) (string, error)) tea.Cmd {
	if raw == "" {
		return Flash(FlashInfo, "nothing to copy: the API gave no address")
	}
	checked, err := check(raw, c.Client.Endpoint())
	if err != nil {
		demo, ok := c.demoPage(raw)
		if !ok {
			return Flash(FlashError, "not copied: "+Clean(err.Error()))
		}
		checked = demo
	}
	return tea.Batch(tea.SetClipboard(checked), Flash(FlashOK, ClipboardSent(what, checked)))
}

// demoPage is raw when the console runs on its own demo sandbox and raw
// is one of that sandbox's addresses.
func (c *Common) demoPage(raw string) (string, bool) {
	if !c.Demo {
		return "", false
	}
	page, err := weburl.CheckDemo(raw, c.Client.Endpoint())
	return page, err == nil
}

// ClipboardText is a value from the API as it may go to the clipboard:
// what Clean draws, without the spaces Clean puts for line breaks and
// tabs (an ID holds none; a line break in a pasted value runs it).
func ClipboardText(s string) string {
	return Clean(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s))
}

// ClipboardSent is what the console can truthfully say after copying:
// the text was sent with OSC 52. Whether it arrived it cannot know (tmux's
// default `set-clipboard external` and many terminals drop it without a
// word), so it shows the value's start for the person to check what they
// paste.
func ClipboardSent(what, text string) string {
	return "sent " + what + " to the clipboard (OSC 52): " + Start(text, 28)
}

// Start is the first n characters of s, cleaned, with … when cut.
func Start(s string, n int) string {
	r := []rune(Clean(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

// OpenBrowser starts the platform's opener on a URL weburl.Check
// returned, without waiting for it; tests replace it.
var OpenBrowser = func(checked string) error {
	name, args := weburl.Command(runtime.GOOS, checked)
	path, err := exec.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
