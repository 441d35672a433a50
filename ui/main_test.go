package ui

import (
	"os"
	"testing"
)

// TestMain keeps every test's pipelines index in a directory of its own
// run, never in the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kiteconsole-ui-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
