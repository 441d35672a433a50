//go:build unix

package config

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shortTokenTimeout makes token commands time out after d for one test.
func shortTokenTimeout(t *testing.T, d time.Duration) {
	timeout, grace := tokenCommandTimeout, tokenCommandGrace
	tokenCommandTimeout, tokenCommandGrace = d, 200*time.Millisecond
	t.Cleanup(func() { tokenCommandTimeout, tokenCommandGrace = timeout, grace })
}

// within runs f and fails the test if it takes longer than d.
func within[T any](t *testing.T, d time.Duration, what string, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	start := time.Now()
	go func() { done <- f() }()
	select {
	case v := <-done:
		if took := time.Since(start); took > d {
			t.Fatalf("%s took %s, more than %s", what, took.Round(time.Millisecond), d)
		}
		return v
	case <-time.After(d + 30*time.Second):
		t.Fatalf("%s never ended", what)
		var zero T
		return zero
	}
}

type tokenResult struct {
	tok string
	err error
}

func runToken(t *testing.T, d time.Duration, command string) tokenResult {
	t.Helper()
	return within(t, d, command, func() tokenResult {
		tok, err := runTokenCommand(context.Background(), command)
		return tokenResult{tok, err}
	})
}

// alive reports whether a process of that id is running.
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// A slow command is killed at the timeout with its children: `sleep`
// holding the output open no longer holds the console.
func TestASlowTokenCommandIsKilledWholeAtTheTimeout(t *testing.T) {
	shortTokenTimeout(t, 300*time.Millisecond)
	pidFile := filepath.Join(t.TempDir(), "pid")
	r := runToken(t, 5*time.Second, "sleep 45 & echo $! > "+pidFile+"; wait; echo tok")
	if r.err == nil || !strings.Contains(r.err.Error(), "did not finish within 300ms") {
		t.Fatalf("tok %q, err %v", r.tok, r.err)
	}
	assertGone(t, pidFile)
}

func assertGone(t *testing.T, pidFile string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the command's child %d outlived it", pid)
	}
}

// A command that leaves a child behind holding the output (daemonising)
// is answered once it exits, and the child in its group is killed.
func TestADaemonisingTokenCommandDoesNotHold(t *testing.T) {
	shortTokenTimeout(t, 10*time.Second)
	pidFile := filepath.Join(t.TempDir(), "pid")
	r := runToken(t, 3*time.Second, "sleep 45 & echo $! > "+pidFile+"; echo tok")
	if r.err != nil || r.tok != "tok" {
		t.Fatalf("tok %q, err %v", r.tok, r.err)
	}
	assertGone(t, pidFile)
	// One that leaves its own session keeps the output no longer than
	// the grace either.
	r = runToken(t, 3*time.Second, "setsid sleep 3 & echo tok")
	if r.err != nil || r.tok != "tok" {
		t.Fatalf("setsid: tok %q, err %v", r.tok, r.err)
	}
}

// A loud command's output is cut at a token's size, not read whole.
func TestALoudTokenCommandIsRefused(t *testing.T) {
	shortTokenTimeout(t, 10*time.Second)
	r := runToken(t, 5*time.Second, "yes tok | head -c 10000000")
	if r.err == nil || !strings.Contains(r.err.Error(), "printed more than") || r.tok != "" {
		t.Fatalf("tok of %d bytes, err %v", len(r.tok), r.err)
	}
	r = runToken(t, 5*time.Second, "printf '%4000s' tok")
	if r.err != nil || r.tok != "tok" {
		t.Fatalf("4000 bytes: tok %q, err %v", r.tok, r.err)
	}
}

// Only a regular file of a sane size is read as the configuration: a
// FIFO with no writer, a device, a directory or a huge file is an error
// at once.
func TestConfigMustBeARegularFileOfSaneSize(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, []byte("refresh: 10s\n"+strings.Repeat("# padding\n", MaxConfigFile/10)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, "not a regular file (a FIFO)"},
		{"/dev/zero", "not a regular file (a character device)"},
		{dir, "not a regular file (a directory)"},
		{huge, "a configuration file may have at most"},
	} {
		err := within(t, 2*time.Second, tc.path, func() error { _, _, err := Load(tc.path); return err })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.want)
		}
	}
	// bk.yaml is read the same way.
	if err := os.Mkdir(filepath.Join(dir, "xdg"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "xdg", "bk.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return filepath.Join(dir, "xdg")
		}
		return ""
	}
	if org := within(t, 2*time.Second, "bk.yaml as a FIFO", func() string { return SelectedOrg(getenv) }); org != "" {
		t.Fatalf("org = %q", org)
	}
}
