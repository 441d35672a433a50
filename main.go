// Command kiteconsole is a terminal console for the Buildkite REST API.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/kiteconsole/kiteconsole/cli"
)

// memoryLimit is the heap the console aims to stay within: a soft limit,
// so the garbage collector works a little harder rather than let a large
// organisation's list double the process's memory. GOMEMLIMIT overrides.
const memoryLimit = 48 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
