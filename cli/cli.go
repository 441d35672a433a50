// Package cli is kiteconsole's command line: the console itself (against
// the real API or the embedded demo), the SSH server, the summary, and the
// standalone sandbox.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/config"
)

// Environment variables, the same as Buildkite's own bk CLI reads.
const (
	EnvToken    = config.EnvToken
	EnvOrg      = config.EnvOrg
	EnvEndpoint = config.EnvEndpoint
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
	demo       bool
	org        string
	endpoint   string
	readOnly   bool
	refresh    time.Duration
	configPath string
	auditLog   string
	parallel   int
	timeout    time.Duration
	// refreshSet is true when --refresh was given.
	refreshSet bool
}

func newRoot(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	root := &cobra.Command{
		Use:   "kiteconsole",
		Short: "A terminal console for Buildkite clusters, queues, agent tokens and pipelines",
		Long: "kiteconsole is a terminal console for the Buildkite REST API.\n\n" +
			"Settings come from flags, then " + EnvToken + ", " + EnvOrg + " and " + EnvEndpoint +
			",\nthen $XDG_CONFIG_HOME/kiteconsole/config.yaml, then the bk CLI's selected organisation.\n" +
			"With --demo it runs on an embedded sandbox of the API: no token, no network.",
		Example: "  kiteconsole --demo\n  " + EnvToken + "=... kiteconsole --org acme-inc\n" +
			"  kiteconsole serve --listen 127.0.0.1:2222 --authorized-keys ~/.ssh/viewers --operator-keys ~/.ssh/operators\n" +
			"  kiteconsole sandbox --listen 127.0.0.1:8089",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.refreshSet = cmd.Flags().Changed("refresh")
			return runConsole(cmd.Context(), stdout, stderr, opts, getenv)
		},
		SilenceUsage: true,
	}
	pf := root.PersistentFlags()
	pf.BoolVar(&opts.demo, "demo", false, "run on the embedded sandbox's demo organisation (no token, no network)")
	pf.StringVar(&opts.org, "org", "", "organisation slug (default $"+EnvOrg+", then the config file)")
	pf.StringVar(&opts.endpoint, "endpoint", "", "REST API endpoint (default $"+EnvEndpoint+" or "+api.DefaultEndpoint+")")
	pf.BoolVar(&opts.readOnly, "read-only", false, "refuse every change: only look")
	pf.StringVar(&opts.configPath, "config", "", "configuration file (default $XDG_CONFIG_HOME/kiteconsole/config.yaml)")
	pf.StringVar(&opts.auditLog, "audit-log", "", "where changes are recorded (default $XDG_STATE_HOME/kiteconsole/audit.log)")
	pf.IntVar(&opts.parallel, "parallel", 0, "pages of a list fetched at once (default 8)")
	pf.DurationVar(&opts.timeout, "timeout", 0, "how long one request may take (default 15s)")
	pf.DurationVar(&opts.refresh, "refresh", config.DefaultRefresh, "how often the visible screen reloads (0 turns it off)")
	root.AddCommand(newSandboxCommand(stdout, stderr))
	root.AddCommand(newServeCommand(stdout, stderr, &opts, getenv))
	root.AddCommand(&cobra.Command{
		Use:   "summary",
		Short: "Print the organisation's clusters, queues and pipelines, and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			settings, err := resolve(cmd.Context(), opts, getenv)
			if err != nil {
				return err
			}
			backend, err := openBackend(opts, settings, nil, 0)
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

// resolve works out the settings in force, or says how to give them.
func resolve(ctx context.Context, opts rootOptions, getenv func(string) string) (*config.Settings, error) {
	path := opts.configPath
	if path == "" {
		path = config.DefaultPath(getenv)
	}
	flags := config.Flags{Org: opts.org, Endpoint: opts.endpoint, ReadOnly: opts.readOnly, AuditLog: opts.auditLog, Parallel: opts.parallel, Timeout: opts.timeout}
	if opts.refreshSet {
		flags.Refresh = &opts.refresh
	}
	s, err := config.Resolve(ctx, flags, getenv, path)
	if err != nil {
		return nil, err
	}
	if opts.demo {
		return s, nil
	}
	switch {
	case s.Org == "" && s.Token == "":
		return nil, fmt.Errorf("no organisation and no API token.\n\n%s", howToConfigure(path))
	case s.Org == "":
		return nil, fmt.Errorf("no organisation: pass --org or set %s.\n\n%s", EnvOrg, howToConfigure(path))
	case s.Token == "":
		return nil, fmt.Errorf("no API token for %s: set %s.\n\n%s", s.Org, EnvToken, howToConfigure(path))
	}
	return s, nil
}

func howToConfigure(path string) string {
	return "Either set the environment:\n" +
		"  export " + EnvToken + "=bkua_...   # read_clusters and read_pipelines; write_* to change things\n" +
		"  export " + EnvOrg + "=your-org\n" +
		"or write " + path + ":\n" +
		"  default_org: your-org\n" +
		"  organizations:\n" +
		"    - slug: your-org\n" +
		"      token_command: pass show buildkite/api-token\n" +
		"or try it with no token at all:\n" +
		"  kiteconsole --demo"
}
