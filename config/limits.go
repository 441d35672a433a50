package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// What a configuration may cost. A configuration file, or a token
// command, is trusted with the token, not with the process: a FIFO, a
// device, a huge file or a command that never ends must not hang it or
// grow it without bound.
const (
	// MaxConfigFile bounds a configuration file (config.yaml, bk.yaml).
	MaxConfigFile = 1 << 20
	// MaxTokenOutput bounds what a token_command may print: a token is
	// short.
	MaxTokenOutput = 4 << 10
)

// tokenCommandTimeout bounds a token_command, from its start to the end of
// its output; tests shorten it.
var tokenCommandTimeout = 20 * time.Second

// tokenCommandGrace is how long a token_command's output may stay open
// after the command itself has exited (a child it left behind holds it).
var tokenCommandGrace = time.Second

// readConfigFile reads a configuration file, if it is a regular file of
// at most MaxConfigFile bytes. It is opened without blocking (a FIFO with
// no writer would block the open itself) and checked once open, so that
// what is read is what was checked.
func readConfigFile(path string) ([]byte, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, describeMode(info.Mode()))
	}
	if info.Size() > MaxConfigFile {
		return nil, fmt.Errorf("%s is %d bytes; a configuration file may have at most %d", path, info.Size(), MaxConfigFile)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxConfigFile { // it grew while being read
		return nil, fmt.Errorf("%s is larger than %d bytes", path, MaxConfigFile)
	}
	return data, nil
}

func describeMode(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// errTooMuchOutput is a token_command that printed more than a token.
var errTooMuchOutput = fmt.Errorf("it printed more than %d bytes, which is not a token", MaxTokenOutput)

// boundedOutput keeps up to MaxTokenOutput bytes; past that it fails the
// write, which ends the copy from the command, and calls over (once).
type boundedOutput struct {
	buf  []byte
	full bool
	over func()
}

func (b *boundedOutput) Write(p []byte) (int, error) {
	if len(b.buf)+len(p) > MaxTokenOutput {
		if !b.full {
			b.full = true
			b.over()
		}
		return 0, errTooMuchOutput
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// runTokenCommand runs a command (through sh) and takes its output as the
// token. Its error output is not shown: it might hold the secret.
//
// The command runs in a process group of its own, which is killed whole
// when it takes longer than tokenCommandTimeout or prints more than a
// token: killing sh alone would leave `sleep 45` running, holding the
// output open. A child left behind holding the output (a daemon) is given
// tokenCommandGrace after the command exits, then the output is closed.
func runTokenCommand(ctx context.Context, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, tokenCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	ownProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	cmd.WaitDelay = tokenCommandGrace
	out := &boundedOutput{over: func() { _ = killProcessGroup(cmd) }}
	cmd.Stdout = out
	err := cmd.Run()
	// Whatever the command left running in its group goes with it.
	_ = killProcessGroup(cmd)
	switch {
	case out.full:
		return "", errTooMuchOutput
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", fmt.Errorf("it did not finish within %s", tokenCommandTimeout)
	case errors.Is(err, exec.ErrWaitDelay):
		// It exited, and succeeded; a child it left kept the output open.
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("it exited with status %d", exit.ExitCode())
		}
		return "", err
	}
	tok := strings.TrimSpace(string(out.buf))
	if tok == "" {
		return "", errors.New("it printed nothing")
	}
	return tok, nil
}
