package common

import (
	"os/exec"
	"runtime"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// browse opens url in the local browser; where none can be opened (over
// SSH, or on a machine without one) it shows the URL and copies it.
func (c *Common) browse(url string) tea.Cmd {
	if url == "" {
		return Flash(FlashInfo, "nothing to open")
	}
	if !c.Remote {
		if err := OpenBrowser(url); err == nil {
			return Flash(FlashOK, "opened "+Clean(url))
		}
	}
	return tea.Batch(tea.SetClipboard(url), Flash(FlashInfo, "copied "+Clean(url)))
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

// CopyText copies with OSC 52, which reaches the user's own clipboard
// through SSH and tmux.
func (c *Common) CopyText(what, text string) tea.Cmd {
	if text == "" {
		return Flash(FlashInfo, "nothing to copy")
	}
	return tea.Batch(tea.SetClipboard(text), Flash(FlashOK, "copied "+what))
}

// OpenBrowser starts the platform's opener without waiting for it.
var OpenBrowser = func(url string) error {
	name := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name = "explorer"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, url)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
