//go:build !unix

package config

import (
	"os"
	"os/exec"
)

func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }

func ownProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the command itself: there are no process groups
// to kill here.
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
