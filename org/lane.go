// Package org is what the console knows of the organisation: the clusters
// the home screen listed, every queue seen, the shared pipelines list with
// its progressive loading, and the changes made here or in another SSH
// session. Screens read it and ask it to load; it holds no UI and imports
// no bubbletea, so it is tested on its own.
//
// Everything here is read and written on the console's event loop only:
// the fetches run elsewhere (in commands) and their results come back to
// the loop to be applied.
package org

import (
	"context"

	"github.com/kiteconsole/kiteconsole/api"
)

// Lane says on whose behalf a request is made, which decides how the
// organisation's API budget and the shared cache treat it. It is passed
// along with a request, never kept as a flag on shared state.
type Lane int

const (
	// Interactive is what a person asked for just now (opening a screen,
	// a change, the reload another session's change causes): sent at once, and the shared cache of an SSH server may
	// answer it.
	Interactive Lane = iota
	// Background is a refresh nobody asked for just now (the timer, a
	// return to a screen): it spends only the
	// budget's background share and is deferred rather than spend the
	// reserve.
	Background
	// Fresh is a person's r: it must reach the API, never the cache.
	Fresh
	// Bulk is a long read nobody asked for just now that must complete
	// to be of use (the organisation's agents, for AGENTS from REST): it
	// waits for the window above the reserve rather than being put off,
	// as a background refresh is; its caller paces it by its cost.
	Bulk
)

// Context marks ctx for the lane, in the api package's terms.
func (l Lane) Context(ctx context.Context) context.Context {
	switch l {
	case Background:
		return api.InBackground(ctx)
	case Fresh:
		return api.Fresh(ctx)
	case Bulk:
		return api.AsBulk(ctx)
	}
	return ctx
}

func (l Lane) String() string {
	switch l {
	case Background:
		return "background"
	case Fresh:
		return "fresh"
	case Bulk:
		return "bulk"
	}
	return "interactive"
}
