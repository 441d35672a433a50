// Package cli is kiteconsole's command line: the console itself (against
// the real API or the embedded demo) and the standalone sandbox.
package cli

import (
	"context"
	"errors"
	"io"
	"time"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/kiteconsole/kiteconsole/api"
)

// Environment variables, the same as Buildkite's own bk CLI reads.
const (
	EnvToken    = "BUILDKITE_API_TOKEN"
	EnvOrg      = "BUILDKITE_ORGANIZATION_SLUG"
	EnvEndpoint = "BUILDKITE_REST_API_ENDPOINT"
)

// Execute runs the command line and returns the process's exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	root := newRoot(stdout, stderr, getenv)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := fang.Execute(ctx, root, fang.WithVersion(api.Version), fang.WithoutManpage()); err != nil {
		if errors.Is(err, context.Canceled) {
			return 130
		}
		return 1
	}
	return 0
}

type rootOptions struct {
	demo     bool
	org      string
	endpoint string
	readOnly bool
	refresh  time.Duration
}

func newRoot(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	root := &cobra.Command{
		Use:   "kiteconsole",
		Short: "A terminal console for Buildkite clusters, queues, agent tokens and pipelines",
		Long: "kiteconsole is a terminal console for the Buildkite REST API.\n\n" +
			"It reads the API token from " + EnvToken + ", the organisation from --org or " + EnvOrg +
			", and the endpoint from --endpoint or " + EnvEndpoint + ".\n" +
			"With --demo it runs on an embedded sandbox of the API: no token, no network.",
		Example: "  kiteconsole --demo\n  " + EnvToken + "=... kiteconsole --org acme-inc\n  kiteconsole sandbox --listen 127.0.0.1:8089",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd.Context(), stdout, opts, getenv)
		},
		SilenceUsage: true,
	}
	pf := root.PersistentFlags()
	pf.BoolVar(&opts.demo, "demo", false, "run on the embedded sandbox's demo organisation (no token, no network)")
	pf.StringVar(&opts.org, "org", "", "organisation slug (default $"+EnvOrg+")")
	pf.StringVar(&opts.endpoint, "endpoint", "", "REST API endpoint (default $"+EnvEndpoint+" or "+api.DefaultEndpoint+")")
	pf.BoolVar(&opts.readOnly, "read-only", false, "refuse every change: only look")
	root.Flags().DurationVar(&opts.refresh, "refresh", 30*time.Second, "how often the visible screen reloads (0 turns it off)")
	root.AddCommand(newSandboxCommand(stdout, stderr))
	root.AddCommand(&cobra.Command{
		Use:   "summary",
		Short: "Print the organisation's clusters, queues and pipelines, and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			backend, err := openBackend(opts, getenv)
			if err != nil {
				return err
			}
			defer backend.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			return printSummary(ctx, stdout, backend)
		},
	})
	return root
}

// clientConfig resolves the real API's settings: flags first, then the
// environment.
func clientConfig(opts rootOptions, getenv func(string) string) api.Config {
	cfg := api.Config{
		Org:      firstNonEmpty(opts.org, getenv(EnvOrg)),
		Endpoint: firstNonEmpty(opts.endpoint, getenv(EnvEndpoint)),
		Token:    getenv(EnvToken),
		ReadOnly: opts.readOnly,
	}
	return cfg
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
