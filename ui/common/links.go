package common

import (
	"os/exec"
	"runtime"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/weburl"
)

// browse opens a web_url from the API in the local browser. Only what
// weburl.Check allows is opened or copied (https:// on the endpoint's web
// host or Buildkite's): a web_url is written by whoever answers at the
// endpoint, and `file:///etc/shadow` or `--help` must never reach the
// opener. A refused one is said, with the reason, and not copied. Where
// no browser can be opened (over SSH, or on a machine without one) the
// URL is sent to the clipboard instead.
func (c *Common) browse(url string) tea.Cmd {
	if url == "" {
		return Flash(FlashInfo, "nothing to open: the API gave no web address")
	}
	checked, err := weburl.Check(url, c.Client.Endpoint())
	if err != nil {
		return Flash(FlashError, "not opened: "+Clean(err.Error()))
	}
	if !c.Remote {
		if err := OpenBrowser(checked); err == nil {
			return Flash(FlashOK, "opened "+Clean(checked))
		}
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
		return c.CopyText("the "+what+"'s URL", webURL), true
	case key.Matches(msg, k.CopyID):
		return c.CopyText("the "+what+"'s ID", id), true
	}
	return nil, false
}

// CopyText sends text to the clipboard with OSC 52, which reaches the
// user's own clipboard through SSH and tmux when the terminal allows it.
func (c *Common) CopyText(what, text string) tea.Cmd {
	if text == "" {
		return Flash(FlashInfo, "nothing to copy")
	}
	return tea.Batch(tea.SetClipboard(text), Flash(FlashOK, ClipboardSent(what, text)))
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
