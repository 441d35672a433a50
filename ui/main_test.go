package ui

import (
	"errors"
	"os"
	"testing"

	"github.com/kiteconsole/kiteconsole/ui/common"
)

// TestMain keeps every test's pipelines index in a directory of its own
// run, never in the user's cache, and no test opens a browser (the
// monkey and the walk press o).
func TestMain(m *testing.M) {
	common.OpenBrowser = func(string) error { return errors.New("no browser in tests") }
	dir, err := os.MkdirTemp("", "kiteconsole-ui-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
