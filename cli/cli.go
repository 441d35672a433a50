// Package cli is kiteconsole's command line: the console itself (against
// the real API or the embedded demo), the SSH server, the summary, the
// runbook commands (queue, agent, pipeline) and the standalone sandbox.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/config"
)

// Environment variables, the same as Buildkite's own bk CLI reads.
const (
	EnvToken    = config.EnvToken
	EnvOrg      = config.EnvOrg
	EnvEndpoint = config.EnvEndpoint
)

// Execute runs the command line and returns the process's exit code
// (see exitCodesHelp).
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return execute(ctx, args, os.Stdin, stdout, stderr, getenv)
}

// execute is Execute reading the person's answers from stdin (a test's
// terminal or nothing).
func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	root := newRoot(stdout, stderr, getenv)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	// After SetOut: cobra's completion commands keep the writer they are
	// made with.
	strictCompletion(root)
	// pflag says a deprecated flag is deprecated on the flag set's
	// output: stderr, never the results a script reads.
	var toStderr func(*cobra.Command)
	toStderr = func(c *cobra.Command) {
		c.Flags().SetOutput(stderr)
		for _, sub := range c.Commands() {
			toStderr(sub)
		}
	}
	toStderr(root)
	// A bad flag anywhere is a usage error (exit 2).
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	// fang's own man page is replaced by newManCommand's.
	err := fang.Execute(ctx, root, fang.WithVersion(api.Version), fang.WithErrorHandler(errorHandler(stderr)), fang.WithoutManpage())
	return exitCode(err)
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
	// noGraphQLAccess, with --demo, refuses the demo's token at GraphQL.
	noGraphQLAccess bool
	// scopedTokens are --scoped-token's NAME=scope,scope…: with --demo,
	// the console acts with a token of only those scopes.
	scopedTokens []string
}

// The flags are given to each command that uses them, not inherited from
// the root: `sandbox --help` then lists none of the console's flags, and
// `summary --help` lists none of those only a console uses.

// addAPIFlags adds the flags that say which organisation to reach and how.
// The descriptions start with a lower-case word that title-casing cannot
// spoil (the help capitalises the first word: "REST" would become "Rest").
func addAPIFlags(f *pflag.FlagSet, opts *rootOptions) {
	addAPIFlagsBut(f, opts, "")
}

// consoleParallel shows the console's own default for --parallel, which
// a command's differs from (commandParallel).
func consoleParallel(f *pflag.FlagSet) {
	f.Lookup("parallel").DefValue = fmt.Sprint(api.DefaultParallel)
}

// addAPIFlagsBut is addAPIFlags without the flag named skip.
//
// One request's limit is --request-timeout: --timeout is `agent pause`'s
// pause timeout, as in the API. --timeout is still read as the request's
// limit (hidden, and said to be deprecated when used) on every other
// command, where it cannot be taken for a pause's; skip "timeout" leaves
// it out (the agent changes).
func addAPIFlagsBut(f *pflag.FlagSet, opts *rootOptions, skip string) {
	f.StringVar(&opts.org, "org", "", "organisation slug (default $"+EnvOrg+", then the config file)")
	f.StringVar(&opts.endpoint, "endpoint", "", "the REST API's endpoint (default $"+EnvEndpoint+" or "+api.DefaultEndpoint+")")
	f.StringVar(&opts.configPath, "config", "", "configuration file (default $XDG_CONFIG_HOME/kiteconsole/config.yaml)")
	f.IntVar(&opts.parallel, "parallel", 0, "pages of a list fetched at once")
	// Zero means "the setting's default": show the default in force, once
	// (a console's is set by consoleParallel).
	f.Lookup("parallel").DefValue = fmt.Sprint(commandParallel)
	f.DurationVar(&opts.timeout, "request-timeout", 0, "how long one request to the API may take")
	f.Lookup("request-timeout").DefValue = api.DefaultTimeout.String()
	if skip != "timeout" {
		f.DurationVar(&opts.timeout, "timeout", 0, "how long one request to the API may take")
		_ = f.MarkDeprecated("timeout", "use --request-timeout (--timeout is agent pause's timeout)")
	}
	f.BoolVar(&opts.demo, "demo", false, "run on the embedded sandbox's demo organisation (no token, no network)")
	f.BoolVar(&opts.noGraphQLAccess, "no-graphql-access", false, "with --demo: the demo's token has no GraphQL access, so counts come from REST")
	f.StringArrayVar(&opts.scopedTokens, "scoped-token", nil, "with --demo: act with a token of only these scopes, NAME=scope,scope…, e.g. ci=read_agents,write_agents")
}

// checkScopedToken refuses --scoped-token where it cannot mean anything:
// without --demo (a real token has the scopes Buildkite gave it), given
// twice (the demo acts with one token), or with a scope Buildkite does
// not name. The sandbox command, which serves many, checks its own.
func checkScopedToken(cmd *cobra.Command) error {
	f := cmd.Flags()
	if !f.Changed("scoped-token") || f.Lookup("demo") == nil {
		return nil
	}
	specs, err := f.GetStringArray("scoped-token")
	if err != nil {
		return err
	}
	if demo, _ := f.GetBool("demo"); !demo {
		return usagef("--scoped-token is for --demo (and the sandbox command): a real token has the scopes it was given")
	}
	if len(specs) > 1 {
		return usagef("--demo acts with one token: give --scoped-token once")
	}
	_, err = parseScopedTokens(specs)
	return err
}

// mayBeZero are the duration flags for which 0 means something (--refresh
// 0 turns the reload off, sandbox --latency 0 adds none); for every other
// duration, and for --parallel, zero or less is refused before anything
// is done.
var mayBeZero = map[string]bool{"refresh": true, "latency": true}

// checkCounts refuses a zero or negative duration or count given on the
// command line: "--request-timeout 0" would fail every request, and
// "--parallel 0" would fetch nothing, each with a message about
// something else; and more than config.MaxParallel pages at once, as the
// file does.
func checkCounts(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		switch f.Value.Type() {
		case "duration":
			d, perr := time.ParseDuration(f.Value.String())
			switch {
			case perr != nil:
			case d < 0 && mayBeZero[f.Name]:
				err = usagef("--%s must be 0 or more (it is %s)", f.Name, f.Value.String())
			case d <= 0 && !mayBeZero[f.Name]:
				err = usagef("--%s must be more than 0 (it is %s)", f.Name, f.Value.String())
			}
		case "int":
			if n, perr := strconv.Atoi(f.Value.String()); perr == nil && f.Name == "parallel" {
				switch {
				case n <= 0:
					err = usagef("--%s must be 1 or more (it is %d)", f.Name, n)
				case n > config.MaxParallel:
					// Each is a request in flight against the API.
					err = usagef("--%s must be %d or less (it is %d)", f.Name, config.MaxParallel, n)
				}
			}
		}
	})
	return err
}

// addAuditFlag is for the commands that can change something (or, for
// the runbook commands, open the same log as those that do).
func addAuditFlag(f *pflag.FlagSet, opts *rootOptions) {
	f.StringVar(&opts.auditLog, "audit-log", "", "where changes are recorded (default $XDG_STATE_HOME/kiteconsole/audit.log)")
}

func addReadOnlyFlag(f *pflag.FlagSet, opts *rootOptions) {
	f.BoolVar(&opts.readOnly, "read-only", false, "refuse every change before it is sent: only look")
}

func addRefreshFlag(f *pflag.FlagSet, opts *rootOptions) {
	f.DurationVar(&opts.refresh, "refresh", config.DefaultRefresh, "how often the visible screen reloads (0 turns it off)")
}

func newRoot(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	root := &cobra.Command{
		Use:   "kiteconsole",
		Short: "A terminal console for Buildkite clusters, queues, agent tokens and pipelines",
		Long: "kiteconsole is a terminal console for the Buildkite REST API, and a command line for runbooks.\n\n" +
			"Settings come from flags, then " + EnvToken + ", " + EnvOrg + " and " + EnvEndpoint +
			",\nthen $XDG_CONFIG_HOME/kiteconsole/config.yaml, then the bk CLI's selected organisation.\n" +
			"With --demo it runs on an embedded sandbox of the API: no token, no network.\n\n" + exitCodesHelp,
		Example: "  kiteconsole --demo\n  " + EnvToken + "=... kiteconsole --org acme-inc\n" +
			"  kiteconsole queue pause 'Mobile/mac*' --note 'INC-4821: signing outage'\n" +
			"  kiteconsole serve --listen 127.0.0.1:2222 --authorized-keys ~/.ssh/viewers --operator-keys ~/.ssh/operators\n" +
			"  kiteconsole sandbox --listen 127.0.0.1:8089",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.refreshSet = cmd.Flags().Changed("refresh")
			return runConsole(cmd.Context(), stdout, stderr, opts, getenv)
		},
		SilenceUsage: true,
		// Every command's counts and durations are checked here, before
		// anything is asked of the API.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkCounts(cmd); err != nil {
				return err
			}
			return checkScopedToken(cmd)
		},
	}
	f := root.Flags()
	addAPIFlags(f, &opts)
	consoleParallel(f)
	addAuditFlag(f, &opts)
	addReadOnlyFlag(f, &opts)
	addRefreshFlag(f, &opts)
	root.AddCommand(newSandboxCommand(stdout, stderr))
	root.AddCommand(newServeCommand(stdout, stderr, getenv))
	root.AddCommand(newSummaryCommand(stdout, stderr, getenv))
	root.AddCommand(newQueueCommand(stdout, stderr, getenv))
	root.AddCommand(newAgentCommand(stdout, stderr, getenv))
	root.AddCommand(newPipelineCommand(stdout, stderr, getenv))
	root.AddCommand(newManCommand(stdout))
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
		"  export " + EnvToken + "=bkua_...   # read_clusters, read_pipelines and read_agents; write_* to change things\n" +
		"  export " + EnvOrg + "=your-org\n" +
		"or write " + path + ":\n" +
		"  default_org: your-org\n" +
		"  organizations:\n" +
		"    - slug: your-org\n" +
		"      token_command: pass show buildkite/api-token\n" +
		"or try it with no token at all:\n" +
		"  kiteconsole --demo"
}
