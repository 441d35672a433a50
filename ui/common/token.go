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

// KeyOff reports a key whose change is turned off: every change in
// read-only mode; with a token that lacks the scope, the changes that
// need it (queues need write_clusters, archive and webhooks
// write_pipelines, and new, edit and delete, found on both, are off when
// the token has neither).
func (c *Common) KeyOff(b key.Binding) bool {
	k := c.Keys
	if !k.Mutating(b) {
		return false
	}
	if c.ReadOnly {
		return true
	}
	token := c.Session.Token()
	if token == nil {
		return false
	}
	lacks := func(scope string) bool { return !token.HasScope(scope) }
	same := func(o key.Binding) bool { return slices.Equal(o.Keys(), b.Keys()) }
	switch {
	case same(k.Pause):
		return lacks(api.ScopeWriteClusters)
	case same(k.PauseAgent):
		return lacks(api.ScopeWriteAgents)
	case same(k.Archive), same(k.Webhook):
		return lacks(api.ScopeWritePipelines)
	}
	return lacks(api.ScopeWriteClusters) && lacks(api.ScopeWritePipelines)
}

// TokenLacks names the write scopes the console uses that the token
// does not have, for the message said at start; none when all are there
// or the token is not known.
func (c *Common) TokenLacks() []string {
	token := c.Session.Token()
	if token == nil {
		return nil
	}
	var out []string
	for _, s := range []string{api.ScopeWriteClusters, api.ScopeWritePipelines} {
		if !token.HasScope(s) {
			out = append(out, s)
		}
	}
	return out
}

// TokenNote is what the console says of a token that cannot make every
// change: "" when it can.
func (c *Common) TokenNote() string {
	switch lacks := c.TokenLacks(); len(lacks) {
	case 0:
		return ""
	case 2:
		return "this API token has no write scopes: changes are turned off (struck through in the help)"
	default:
		return "this API token lacks " + strings.Join(lacks, ", ") + ": the changes that need it are struck through in the help"
	}
}
