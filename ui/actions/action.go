// Package actions is every change the console makes to the organisation,
// apart from the screens that start them (as gh-dash's tasks): each is a
// function that returns a Change — what it is called in the audit log,
// what it touches (its audit target), the confirmation it asks for, and
// the command that makes it. Start turns a Change into what a key
// returns. The incident workflow (pauses and resumes of queues across
// clusters) is here too (Incident). No view code lives here: the root
// model draws the confirmations and prompts these ask for.
package actions

import (
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Confirm is the question asked before a change: what it touches, said
// exactly, with Cancel the default. With Expect set, the name must be
// typed; without, it is a yes/no question whose default is no.
type Confirm struct {
	Title, Body, Expect string
	// Verb says what y (or enter) does: "deletes", "stops".
	Verb string
}

// Change is one change, ready to start.
type Change struct {
	// Audit names the change in the audit log ("agent.stop"); Target is
	// what it touches. A refusal is recorded under them too.
	Audit  string
	Target audit.Target
	// Refused is what read-only mode turns off, for its flash
	// ("stopping agents").
	Refused string
	// Say, when set, is said instead of making the change: there is
	// nothing to do ("#12 is passed: nothing to cancel").
	Say string
	// Confirm, when set, is asked first.
	Confirm *Confirm
	// Make sends the change; its reply comes back to the root model.
	Make func() tea.Cmd
}

// Start starts a change: refused in read-only mode, asked about when it
// asks, else made at once. The question is a request to the root model,
// so the dialog is open for the answer's first key, however fast.
func Start(c *common.Common, ch Change) common.Reply {
	switch {
	case c.ReadOnly:
		return common.Do(c.Refuse(ch.Audit, ch.Target, ch.Refused))
	case ch.Say != "":
		return common.Do(common.Flash(common.FlashInfo, ch.Say))
	case ch.Confirm == nil:
		return common.Do(ch.Make())
	}
	q := ch.Confirm
	return common.Ask(common.AskConfirmMsg{Title: q.Title, Body: q.Body, Expect: q.Expect, Action: q.Verb, OnConfirm: ch.Make})
}
