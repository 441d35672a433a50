// Command kiteconsole is a terminal console for the Buildkite REST API.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kiteconsole/kiteconsole/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
