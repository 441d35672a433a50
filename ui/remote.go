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

// RemoteFilter is the filter (tea.WithFilter) of a console served over
// SSH, or the first step of it: whatever a widget asks for, no program of
// the server starts attached to a session, and the server is never
// stopped for one.
//
//   - The message of tea.Exec and tea.ExecProcess (huh's external editor
//     is one) is dropped, and the person is told.
//   - tea.Suspend's message becomes tea.ResumeMsg, as wish's own filter
//     does (bm.MakeOptions): suspending sends SIGTSTP to the process group,
//     which is the server and every session. tea.WithFilter keeps only the
//     last filter given, so a server filter of its own drops wish's.
//
// Every other message passes unchanged.
func RemoteFilter(_ tea.Model, msg tea.Msg) tea.Msg {
	switch {
	case msg == nil:
		return nil
	case reflect.TypeOf(msg) == execMsgType:
		return common.FlashMsg{Kind: common.FlashError, Text: "over SSH no program is started on the server"}
	}
	if _, ok := msg.(tea.SuspendMsg); ok {
		return tea.ResumeMsg{}
	}
	return msg
}
