// Package cli is kiteconsole's command line: the console itself (against
// the real API or the embedded demo) and the standalone sandbox.
package cli

import (
	"context"
	"errors"
	"io"

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
	root.Flags().BoolVar(&opts.demo, "demo", false, "run on the embedded sandbox's demo organisation (no token, no network)")
	root.Flags().StringVar(&opts.org, "org", "", "organisation slug (default $"+EnvOrg+")")
	root.Flags().StringVar(&opts.endpoint, "endpoint", "", "REST API endpoint (default $"+EnvEndpoint+" or "+api.DefaultEndpoint+")")
	root.Flags().BoolVar(&opts.readOnly, "read-only", false, "refuse every change: only look")
	root.AddCommand(newSandboxCommand(stdout, stderr))
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
