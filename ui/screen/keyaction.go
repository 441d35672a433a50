package screen

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// sameKey reports that two bindings are the same keys (one may carry
// another help text): for a screen's KeyAction (common.KeyActions).
func sameKey(a, b key.Binding) bool { return slices.Equal(a.Keys(), b.Keys()) }
