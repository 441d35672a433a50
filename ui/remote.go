package ui

import (
	"reflect"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Over SSH a person gets the console and nothing else: no program of the
// server is started for a session, and nothing of the server's (files,
// clipboard, environment) reaches it. What would reach the server's
// processes is turned off here and in component.RemoteFormKeyMap.

// serverClipboardKeys are the keys with which bubbles' text inputs use
// the clipboard of the machine the console runs on (atotto/clipboard,
// which starts xclip, xsel or wl-paste): ctrl+v pastes what the server's
// clipboard holds, ctrl+shift+c writes to it. Over SSH both would start a
// program of the server; the person's own terminal pastes (a bracketed
// paste reaches every input) and copies (OSC 52) without them.
var serverClipboardKeys = func() []key.Binding {
	input, area := textinput.DefaultKeyMap(), textarea.DefaultKeyMap()
	return []key.Binding{input.Paste, area.Paste, area.CopySelection}
}()

// serverClipboardKey refuses, over SSH, a key that would use the
// server's clipboard; it reports whether it did.
func (a *App) serverClipboardKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if !a.c.Remote || !key.Matches(msg, serverClipboardKeys...) {
		return nil, false
	}
	return common.Flash(common.FlashInfo, "over SSH, paste with your terminal's paste: "+msg.String()+" would use the server's clipboard"), true
}

// execMsgType is the type of bubbletea's message that makes a program
// stop reading its terminal and run a command in it (tea.Exec,
// tea.ExecProcess). It is unexported: it is taken from a message made,
// not run, so that a rename in bubbletea still matches.
var execMsgType = reflect.TypeOf(tea.Exec(nil, nil)())

// DropExec is a filter (tea.WithFilter) for a console served over SSH:
// it drops the message of tea.Exec and tea.ExecProcess, so that whatever
// a widget asks for (huh's external editor is one), no program of the
// server is ever started attached to a session. The person is told.
// Every other message passes unchanged.
func DropExec(_ tea.Model, msg tea.Msg) tea.Msg {
	if msg != nil && reflect.TypeOf(msg) == execMsgType {
		return common.FlashMsg{Kind: common.FlashError, Text: "over SSH no program is started on the server"}
	}
	return msg
}
