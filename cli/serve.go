package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiteconsole/kiteconsole/sshserver"
)

type serveOptions struct {
	listen, authorizedKeys, operatorKeys, hostKey string
	idleTimeout                                   time.Duration
	maxSessions, maxConnections, maxPerAddress    int
}

func newServeCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var o serveOptions
	var root rootOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console over SSH: viewers' keys look, operators' keys may also change things",
		Long: "Serves the console over SSH. Keys in --authorized-keys get a read-only console; keys in --operator-keys\n" +
			"may also change things; every other key, and every password, is refused. The Buildkite API token stays\n" +
			"on this server. Every change, and every refused attempt, goes to the audit log.",
		Example: "  kiteconsole serve --listen 127.0.0.1:2222 --authorized-keys ~/.ssh/viewers --operator-keys ~/.ssh/operators\n" +
			"  ssh -p 2222 -t localhost",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root.refreshSet = cmd.Flags().Changed("refresh")
			return runServe(cmd.Context(), stdout, stderr, root, o, getenv)
		},
	}
	f := cmd.Flags()
	addAPIFlags(f, &root)
	consoleParallel(f)
	addAuditFlag(f, &root)
	addReadOnlyFlag(f, &root)
	addRefreshFlag(f, &root)
	f.StringVar(&o.listen, "listen", "127.0.0.1:2222", "address to listen on")
	f.StringVar(&o.authorizedKeys, "authorized-keys", "", "authorized_keys file of viewers (read-only)")
	f.StringVar(&o.operatorKeys, "operator-keys", "", "authorized_keys file of operators (may change things)")
	f.StringVar(&o.hostKey, "host-key", "", "host key (default $XDG_STATE_HOME/kiteconsole/ssh_host_ed25519_key, made when missing)")
	f.DurationVar(&o.idleTimeout, "idle-timeout", sshserver.DefaultIdleTimeout, "close a session after this long without a key")
	f.IntVar(&o.maxSessions, "max-sessions", sshserver.DefaultMaxSessions, "most sessions at once")
	f.IntVar(&o.maxConnections, "max-connections", 0, fmt.Sprintf("most logged-in connections at once; those still logging in have places of their own (0: twice --max-sessions, at least %d)", sshserver.DefaultMaxConnections))
	f.IntVar(&o.maxPerAddress, "max-connections-per-address", sshserver.DefaultMaxConnectionsPerAddress, "most logged-in connections at once from one address")
	return cmd
}

func runServe(ctx context.Context, stdout, stderr io.Writer, opts rootOptions, o serveOptions, getenv func(string) string) error {
	settings, log, err := prepare(ctx, stderr, opts, getenv)
	if err != nil {
		return err
	}
	defer log.Close()
	// Every session of the organisation shares the client: its budget,
	// its single-flight GETs, and a cache that answers the background
	// refreshes of sessions that tick a little late (the ticks keep to one
	// grid), for half an interval, so that each tick still fetches afresh.
	backend, err := openBackend(opts, settings, nil, settings.Refresh/2)
	if err != nil {
		return err
	}
	defer backend.Close()
	srv, err := sshserver.New(sshserver.Options{
		AuthorizedKeys: o.authorizedKeys, OperatorKeys: o.operatorKeys, HostKey: o.hostKey,
		IdleTimeout: o.idleTimeout, MaxSessions: o.maxSessions, Client: backend.Client, ReadOnly: settings.ReadOnly,
		MaxConnections: o.maxConnections, MaxConnectionsPerAddress: o.maxPerAddress,
		Audit: log, Demo: backend.Demo, Refresh: settings.Refresh, Keys: &settings.Keys,
		NoteSignature: settings.NoteSignature,
		Logf:          func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) },
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.listen, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(stdout, "kiteconsole over SSH for %s at %s\n  ssh -p %s -t %s\naudit log: %s\nCtrl-C stops it.\n",
		backend.Client.Org(), ln.Addr(), port, host, log.Path())
	return serveUntilDone(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
}

// serveUntilDone runs serve until it fails or ctx ends (Ctrl-C), then
// gives shutdown five seconds to close what is open.
func serveUntilDone(ctx context.Context, serve func() error, shutdown func(context.Context) error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = shutdown(sctx)
		return nil
	}
}

// demoToken is a demo sandbox's token: random, not the sandbox's
// well-known default, since the sandbox listens on loopback where any
// local user (or, for serve --demo, anything the SSH server's host runs)
// could otherwise change its data with the token everyone knows.
func demoToken() string { return "demo-" + rand.Text() }
