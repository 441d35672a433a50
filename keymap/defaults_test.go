package keymap

import "testing"

// The default key map binds no key to two actions: a key that two
// screens read differently is still one key to a person, and a file that
// rebinds anything would be refused for a clash it did not make.
func TestDefaultsHaveNoCollision(t *testing.T) {
	k := Default()
	if c := k.Collision(); c != nil {
		t.Fatal(c)
	}
}
