package ui

import (
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// Finding 9 (issue 24): a FIFO where the pipelines index should be hung
// the start for ever. The console starts without waiting for its index,
// says the file was not read, and its first save replaces it.
func TestAFIFOAsThePipelinesIndexDoesNotHangTheStart(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock}, nil)
	wire := newInFlight()
	client := env.ClientWith(t, api.Config{Clock: clock, HTTPClient: &http.Client{Transport: wire}})
	dir := filepath.Join(t.TempDir(), "kiteconsole")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := pipelineindex.Path(dir, client.Endpoint(), client.Org())
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	started := make(chan *driver, 1)
	go func() {
		d := startModel(t, env, clock, Options{Client: client, Now: clock.Now, Demo: true, Dark: true, IndexDir: dir}, 120, 30)
		d.http = wire
		started <- d
	}()
	var d *driver
	select {
	case d = <-started:
	case <-time.After(10 * time.Second):
		// Let the stuck read end, then fail.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("the console did not start within 10s")
	}
	d.waitShown("pipelines index was not read")
	d.waitFor("Production")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("pipelines")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if info, err := os.Lstat(path); err == nil && info.Mode().IsRegular() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the FIFO was never replaced by the index")
		}
	}
}
