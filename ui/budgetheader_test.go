package ui

import (
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
)

// The header names the binding window (the one with less left), says
// when it resets, and keeps showing the fresh window once it has reset
// rather than vanish until the next reply.
func TestHeaderBudgetNamesTheBindingWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	user := api.Budget{Known: true, Scope: api.ScopeUser, Limit: 50, Remaining: 31, ResetAt: now.Add(42 * time.Second), Reserve: 20}
	org := api.Budget{Known: true, Scope: api.ScopeOrg, Limit: 200, Remaining: 12, ResetAt: now.Add(9 * time.Second), Reserve: 20}
	for _, tc := range []struct {
		name  string
		b     api.Budget
		now   time.Time
		want  string
		level budgetLevel
	}{
		{"unknown", api.Budget{}, now, "", budgetOK},
		{"the user's window binds", user, now, "API 31/50 you · resets 42s", budgetOK},
		{"the organisation's window binds, at the reserve", org, now, "API 12/200 org · resets 9s", budgetDanger},
		{"low", api.Budget{Known: true, Scope: api.ScopeUser, Limit: 200, Remaining: 45, ResetAt: now.Add(time.Second), Reserve: 20}, now, "API 45/200 you · resets 1s", budgetLow},
		// Budget.Remaining is the whole window once its reset has passed
		// (the client's snapshot): the header shows it without a countdown.
		{"after the reset", api.Budget{Known: true, Scope: api.ScopeUser, Limit: 50, Remaining: 50, ResetAt: now.Add(-time.Second), Reserve: 20}, now, "API 50/50 you", budgetOK},
		// All four windows weigh: GraphQL's user window, a fifth left,
		// binds before REST's user window with four fifths left.
		{"GraphQL's user window binds", api.Budget{Known: true, Scope: api.ScopeUser, Limit: 50, Remaining: 40, ResetAt: now.Add(42 * time.Second), Reserve: 20,
			User:        api.Window{Known: true, Limit: 50, Remaining: 40, ResetAt: now.Add(42 * time.Second)},
			GraphQLUser: api.Window{Known: true, Limit: 5000, Remaining: 1000, ResetAt: now.Add(187 * time.Second)}}, now, "API 1000/5000 pts you · resets 187s", budgetLow},
		{"GraphQL held by a 429", api.Budget{Known: true, Scope: api.ScopeUser, Limit: 50, Remaining: 40, ResetAt: now.Add(42 * time.Second), Reserve: 20,
			User:             api.Window{Known: true, Limit: 50, Remaining: 40, ResetAt: now.Add(42 * time.Second)},
			GraphQLOrg:       api.Window{Known: true, Limit: 20000, Remaining: 9000, ResetAt: now.Add(100 * time.Second)},
			GraphQLHeldUntil: now.Add(120 * time.Second)}, now, "GraphQL limit reached (org) · resets 120s", budgetDanger},
		{"REST's window binds over GraphQL's", api.Budget{Known: true, Scope: api.ScopeUser, Limit: 50, Remaining: 31, ResetAt: now.Add(42 * time.Second), Reserve: 20,
			User:        api.Window{Known: true, Limit: 50, Remaining: 31, ResetAt: now.Add(42 * time.Second)},
			GraphQLUser: api.Window{Known: true, Limit: 5000, Remaining: 4800, ResetAt: now.Add(187 * time.Second)}}, now, "API 31/50 you · resets 42s", budgetOK},
		{"held by the user's 429", api.Budget{Known: true, Scope: api.ScopeUser, Limit: 50, Remaining: 0, ResetAt: now.Add(5 * time.Second), HeldUntil: now.Add(7 * time.Second), HeldScope: api.ScopeUser}, now, "API limit reached (you) · resets 7s", budgetDanger},
	} {
		got, level := budgetLine(tc.b, tc.now)
		if got != tc.want || level != tc.level {
			t.Errorf("%s: %q (level %d), want %q (level %d)", tc.name, got, level, tc.want, tc.level)
		}
	}
}
