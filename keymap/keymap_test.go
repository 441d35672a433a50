package keymap

import (
	"strings"
	"testing"
)

func TestDefaultsDoNotCollide(t *testing.T) {
	k := Default()
	if c := k.Collision(); c != nil {
		t.Fatal(c)
	}
}

// `keys: {pause: [q]}` would leave q both quitting and pausing: refused,
// naming both actions.
func TestACollidingBindingIsFound(t *testing.T) {
	k := Default()
	if err := k.Rebind("pause", []string{"P", "q"}); err != nil {
		t.Fatal(err)
	}
	c := k.Collision("pause")
	if c == nil || c.Key != "q" || c.Action != "pause" || c.Existing != "quit" {
		t.Fatalf("collision = %+v", c)
	}
	if msg := c.Error(); !strings.Contains(msg, "pause") || !strings.Contains(msg, "quit") || !strings.Contains(msg, "q ") {
		t.Fatalf("message = %q", msg)
	}
	// Swapping two actions' keys is no collision once both are rebound.
	k = Default()
	_ = k.Rebind("pause", []string{"q"})
	_ = k.Rebind("quit", []string{"p"})
	if c := k.Collision("pause", "quit"); c != nil {
		t.Fatalf("a swap: %v", c)
	}
}
