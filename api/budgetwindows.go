package api

import (
	"fmt"
	"time"
)

// The budget knows four windows: REST's organisation and user windows, in
// requests a minute, and GraphQL's, in complexity points per five minutes.
// They are spent by different reads, so none of them stands for the
// others: the header shows the binding one, the one nearest to stopping
// the console, weighed by the part of it that is left.

// BudgetWindow is one of the four windows, named by its scope.
type BudgetWindow struct {
	// Scope is ScopeOrg, ScopeUser, ScopeGraphQL or ScopeGraphQLUser.
	Scope string
	Window
}

// Points reports whether the window counts GraphQL complexity points
// rather than REST requests.
func (w BudgetWindow) Points() bool { return w.Scope == ScopeGraphQL || w.Scope == ScopeGraphQLUser }

// Who is "you" for a user's window, "org" for the organisation's.
func (w BudgetWindow) Who() string {
	if w.Scope == ScopeUser || w.Scope == ScopeGraphQLUser {
		return "you"
	}
	return "org"
}

// Text is the window for the header: "31/50 you · resets 42s" for REST,
// "3200/5000 pts you · resets 187s" for GraphQL.
func (w BudgetWindow) Text(now time.Time) string {
	unit := ""
	if w.Points() {
		unit = " pts"
	}
	return fmt.Sprintf("%d/%d%s %s · resets %ds", w.Remaining, w.Limit, unit, w.Who(), secondsUntil(w.ResetAt, now))
}

// Windows are the windows a reply has told of, as of now: a window held
// after a 429 has nothing left until the hold ends.
func (b Budget) Windows(now time.Time) []BudgetWindow {
	var out []BudgetWindow
	add := func(scope string, w Window, heldUntil time.Time) {
		w = w.at(now)
		if !w.Known {
			return
		}
		if now.Before(heldUntil) {
			w.Remaining = 0
			if heldUntil.After(w.ResetAt) {
				w.ResetAt = heldUntil
			}
		}
		out = append(out, BudgetWindow{Scope: scope, Window: w})
	}
	restHeld := func(scope string) time.Time {
		if b.HeldScope == scope || (b.HeldScope == "" && scope == ScopeOrg) {
			return b.HeldUntil
		}
		return time.Time{}
	}
	add(ScopeOrg, b.Org, restHeld(ScopeOrg))
	add(ScopeUser, b.User, restHeld(ScopeUser))
	// A GraphQL 429 holds every GraphQL read: both windows show it.
	add(ScopeGraphQL, b.GraphQLOrg, b.GraphQLHeldUntil)
	add(ScopeGraphQLUser, b.GraphQLUser, b.GraphQLHeldUntil)
	return out
}

// BindingWindow is the window with the smallest part of itself left (of
// two as spent, the one that resets later), and false while no reply has
// told of any.
func (b Budget) BindingWindow(now time.Time) (BudgetWindow, bool) {
	ws := b.Windows(now)
	if len(ws) == 0 {
		return BudgetWindow{}, false
	}
	best := ws[0]
	for _, w := range ws[1:] {
		// Compare w.Remaining/w.Limit with best's without dividing.
		l, r := w.Remaining*max(best.Limit, 1), best.Remaining*max(w.Limit, 1)
		if l < r || (l == r && w.ResetAt.After(best.ResetAt)) {
			best = w
		}
	}
	return best, true
}
