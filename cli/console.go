package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/config"
	"github.com/kiteconsole/kiteconsole/termsafe"
	"github.com/kiteconsole/kiteconsole/ui"
)

// Backend is a client and, in demo mode, the sandbox behind it.
type Backend struct {
	Client *api.Client
	Demo   bool
	stop   func()
}

// Close stops the embedded sandbox, if there is one.
func (b *Backend) Close() {
	if b.stop != nil {
		b.stop()
	}
}

// StartDemo serves a demo sandbox on a loopback port and returns a real
// client for it: the demo goes through the same HTTP path as the real API.
// cacheFor is the client's cache lifetime for background refreshes (the
// SSH server's sessions share it; a console alone needs none).
//
// scopedToken, when not empty, is --scoped-token's NAME=scope,scope…: the
// console acts with that token, which has only those scopes, to show what
// a mixed token allows.
func StartDemo(readOnly bool, cacheFor time.Duration, scopedToken string) (*Backend, error) {
	return startDemo(readOnly, cacheFor, scopedToken, false)
}

// startDemo is StartDemo; noGraphQLAccess refuses the demo's token at
// GraphQL, as Buildkite refuses a token without GraphQL access, so that
// the console's REST-only counts can be tried (--no-graphql-access).
func startDemo(readOnly bool, cacheFor time.Duration, scopedToken string, noGraphQLAccess bool) (*Backend, error) {
	// The demo spends a budget as Buildkite's API does, so its header
	// and its pace are what a real organisation would show.
	opts := sandbox.Options{Size: sandbox.SizeDemo, RateLimit: sandbox.DefaultRateLimit, UserRateLimit: sandbox.DefaultUserRateLimit, Token: demoToken(), ReadOnlyToken: demoToken(),
		NoGraphQLAccess: noGraphQLAccess}
	token := opts.Token
	if scopedToken != "" {
		name, scopes, err := sandbox.ParseScopedToken(scopedToken)
		if err != nil {
			return nil, usagef("--scoped-token: %v", err)
		}
		token = name
		opts.ScopedTokens = map[string][]string{name: scopes}
	}
	sb := sandbox.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the demo sandbox: %w", err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	client, err := api.New(api.Config{Endpoint: "http://" + ln.Addr().String(), Org: sb.Org(), Token: token, ReadOnly: readOnly, CacheFor: cacheFor})
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	return &Backend{Client: client, Demo: true, stop: func() { _ = srv.Close() }}, nil
}

// openBackend is the demo sandbox or the real API, as the options say;
// onChange is the audit log's hook, if any. tune, when given, adjusts the
// real API's client (a command line's budget and wait notes).
func openBackend(opts rootOptions, s *config.Settings, onChange func(context.Context, api.ChangeEvent), cacheFor time.Duration, tune ...func(*api.Config)) (*Backend, error) {
	if opts.demo {
		var scoped string
		if len(opts.scopedTokens) > 0 {
			scoped = opts.scopedTokens[0]
		}
		b, err := startDemo(s.ReadOnly, cacheFor, scoped, opts.noGraphQLAccess)
		if err != nil {
			return nil, err
		}
		b.Client = b.Client.WithAccess(s.ReadOnly, onChange)
		return b, nil
	}
	cfg := api.Config{Org: s.Org, Endpoint: s.Endpoint, GraphQLEndpoint: s.GraphQLEndpoint, Token: s.Token, ReadOnly: s.ReadOnly, OnChange: onChange,
		Parallel: s.Parallel, Timeout: s.Timeout, CacheFor: cacheFor}
	for _, t := range tune {
		t(&cfg)
	}
	client, err := api.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Backend{Client: client}, nil
}

// openAudit opens the audit log the settings name.
func openAudit(s *config.Settings) (*audit.Log, error) {
	path := s.AuditLog
	if path == "" {
		path = audit.DefaultPath()
	}
	return audit.Open(path)
}

// prepare resolves the settings, says their warnings, and opens the
// audit log: what the console and the SSH server both start with.
func prepare(ctx context.Context, stderr io.Writer, opts rootOptions, getenv func(string) string) (*config.Settings, *audit.Log, error) {
	settings, err := resolve(ctx, opts, getenv)
	if err != nil {
		return nil, nil, err
	}
	printWarnings(stderr, settings)
	log, err := openAudit(settings)
	if err != nil {
		return nil, nil, err
	}
	return settings, log, nil
}

// printWarnings prints the configuration's warnings (a token file others
// can read), cleaned: a warning names a file, and a file's name can hold
// anything.
func printWarnings(stderr io.Writer, settings *config.Settings) {
	for _, w := range settings.Warnings {
		fmt.Fprintln(stderr, "warning:", termsafe.Text(w))
	}
}

// consoleMemoryLimit is the memory one person's console aims to stay
// within: a soft limit, so the garbage collector works a little harder
// rather than let a large organisation's list double the process's size.
// GOMEMLIMIT overrides it; the SSH server, which holds a console per
// session, has none.
const consoleMemoryLimit = 48 << 20

func runConsole(ctx context.Context, stdout, stderr io.Writer, opts rootOptions, getenv func(string) string) error {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(consoleMemoryLimit)
	}
	settings, log, err := prepare(ctx, stderr, opts, getenv)
	if err != nil {
		return err
	}
	defer log.Close()
	who := audit.LocalActor()
	org := settings.Org
	if opts.demo {
		org = "demo"
	}
	backend, err := openBackend(opts, settings, log.Hook(who, org, func(err error) { fmt.Fprintln(stderr, "audit log:", err) }), 0)
	if err != nil {
		return err
	}
	defer backend.Close()
	uiOpts := ui.Options{Client: backend.Client, Demo: backend.Demo, Refresh: settings.Refresh, Keys: &settings.Keys,
		Dark: settings.Theme != "light", FixedTheme: settings.Theme != "auto",
		OnRefused: func(action string, t audit.Target, note string) {
			log.Refused(who, backend.Client.Org(), action, t, note)
		}}
	if !opts.demo && len(settings.Orgs) > 1 {
		uiOpts.Orgs = settings.Orgs
		uiOpts.SwitchOrg = func(ctx context.Context, org string) (*api.Client, error) {
			next, err := settings.Switch(ctx, org)
			if err != nil {
				return nil, err
			}
			if next.Token == "" {
				return nil, fmt.Errorf("no API token for %s in the configuration", org)
			}
			return api.New(api.Config{Org: next.Org, Endpoint: next.Endpoint, GraphQLEndpoint: next.GraphQLEndpoint, Token: next.Token, ReadOnly: next.ReadOnly, Parallel: next.Parallel, Timeout: next.Timeout,
				OnChange: log.Hook(who, org, nil)})
		}
	}
	app := ui.New(ctx, uiOpts)
	// Keys come straight from the terminal, not through termsafe's
	// InputGuard as an SSH session's do: bubbletea gives its input to the
	// external editor (ctrl+e) as the editor's standard input, and a
	// reader in front of the terminal would hand the editor a pipe. The
	// decoder itself (x/ansi from v0.11.10) holds any sequence; the e2e
	// test TestASequenceOfTooManyParametersLeavesTheConsoleWorking keeps
	// it so.
	p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithOutput(stdout))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("the console stopped: %w", err)
	}
	return nil
}
