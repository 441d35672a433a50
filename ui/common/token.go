package common

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// The API token's scopes, asked for at start (GET /v2/access-token), say
// what the console cannot do before a person tries: a key whose change
// the token may not make is struck through in the help, as in read-only
// mode, instead of being found out by a 403.

// TokenScopes is the reply to the question.
type TokenScopes struct {
	Token model.AccessToken
	Err   error
}

// KeyActions is implemented by a screen (or a list, or a pane of tabs)
// that says which action a key of its help takes there: p pauses a
// queue on the clusters screen and an agent on a queue's agents, n makes
// a cluster on one screen and a build on another.
type KeyActions interface {
	KeyAction(b key.Binding) (api.Action, bool)
}

// KeyOff reports a key whose change is turned off, where the screen does
// not say which action it takes: every change in read-only mode; with a
// token that lacks a scope, a key none of whose actions it allows.
func (c *Common) KeyOff(b key.Binding) bool { return c.KeyOffIn(nil, b) }

// KeyOffIn is KeyOff on a screen (where, which may say the key's action
// through KeyActions): with a token that lacks the action's scope, the
// key is off.
func (c *Common) KeyOffIn(where any, b key.Binding) bool {
	if !c.Keys.Mutating(b) {
		return false
	}
	if c.ReadOnly {
		return true
	}
	token := c.Session.Token()
	if token == nil {
		return false
	}
	if ka, ok := where.(KeyActions); ok {
		if a, ok := ka.KeyAction(b); ok {
			return !api.Allows(*token, a)
		}
	}
	for _, a := range c.keyActions(b) {
		if api.Allows(*token, a) {
			return false
		}
	}
	return true
}

// Lacks reports that the token, as far as known, may not take the action.
func (c *Common) Lacks(a api.Action) bool {
	token := c.Session.Token()
	return token != nil && !api.Allows(*token, a)
}

// keyActions are the actions a key may take on one screen or another.
func (c *Common) keyActions(b key.Binding) []api.Action {
	k := c.Keys
	same := func(o key.Binding) bool { return slices.Equal(o.Keys(), b.Keys()) }
	switch {
	case same(k.Pause):
		return []api.Action{api.ActionPauseQueue}
	case same(k.PauseAgent):
		return []api.Action{api.ActionPauseAgent}
	case same(k.New):
		return []api.Action{api.ActionChangeCluster, api.ActionChangeQueue, api.ActionChangeToken, api.ActionChangePipeline, api.ActionCreateBuild}
	case same(k.Edit), same(k.Delete):
		return []api.Action{api.ActionChangeCluster, api.ActionChangeQueue, api.ActionChangeToken, api.ActionChangePipeline}
	case same(k.Archive):
		return []api.Action{api.ActionArchive}
	case same(k.Webhook):
		return []api.Action{api.ActionWebhook}
	case same(k.Stop), same(k.ForceStop):
		return []api.Action{api.ActionStopAgent}
	case same(k.CancelBuild):
		return []api.Action{api.ActionCancelBuild}
	case same(k.Rebuild):
		return []api.Action{api.ActionRebuild}
	case same(k.RetryFailed):
		return []api.Action{api.ActionRetryFailed}
	case same(k.RetryJob):
		return []api.Action{api.ActionRetryJob}
	case same(k.Unblock):
		return []api.Action{api.ActionUnblockJob}
	}
	return nil
}

// TokenLacks names the write scopes the console's changes need that the
// token does not have, for the message said at start; none when all are
// there or the token is not known.
func (c *Common) TokenLacks() []string {
	token := c.Session.Token()
	if token == nil {
		return nil
	}
	return api.LacksFor(*token)
}

// writeScopes counts the write scopes the console's changes need.
func writeScopes() int {
	var seen []string
	for _, a := range api.Actions() {
		if a.Changes() && !slices.Contains(seen, a.Scope()) {
			seen = append(seen, a.Scope())
		}
	}
	return len(seen)
}

// TokenNote is what the console says of a token that cannot make every
// change: "" when it can.
func (c *Common) TokenNote() string {
	switch lacks := c.TokenLacks(); len(lacks) {
	case 0:
		return ""
	case writeScopes():
		return "this API token has no write scopes: changes are turned off (struck through in the help)"
	default:
		return "this API token lacks " + strings.Join(lacks, ", ") + ": the changes that need it are struck through in the help"
	}
}
