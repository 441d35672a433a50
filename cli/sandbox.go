package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

type sandboxOptions struct {
	listen        string
	org           string
	token         string
	readOnlyToken string
	size          string
	latency       time.Duration
	seed          uint64
	faults        string
	rateLimit     string
	log           bool
	userRateLimit string
	userTokens    []string
	scopedTokens  []string
	// noGraphQLAccess refuses every token at /graphql.
	noGraphQLAccess bool
}

func newSandboxCommand(stdout, stderr io.Writer) *cobra.Command {
	var opts sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the embedded Buildkite API sandbox over HTTP",
		Long: "Serves an in-memory Buildkite REST API (clusters, queues, agent tokens, pipelines) with a seeded\n" +
			"organisation. Point kiteconsole, curl or your own scripts at the URL it prints. Ctrl-C stops it.",
		Example: "  kiteconsole sandbox --listen 127.0.0.1:8089 --org acme --size large --latency 30ms",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSandbox(cmd.Context(), stdout, stderr, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.listen, "listen", "127.0.0.1:8089", "address to listen on")
	f.StringVar(&opts.org, "org", sandbox.DefaultOrg, "organisation slug")
	f.StringVar(&opts.token, "token", sandbox.DefaultToken, "the API token accepted with every scope")
	f.StringVar(&opts.readOnlyToken, "read-only-token", sandbox.DefaultReadOnlyToken, "the API token accepted for reads only (writes get 403)")
	f.StringVar(&opts.size, "size", string(sandbox.SizeDemo), "seeded organisation: demo, large or empty")
	f.DurationVar(&opts.latency, "latency", 0, "latency added to every request, e.g. 30ms")
	f.Uint64Var(&opts.seed, "seed", 0, "seed of the generated data")
	f.StringVar(&opts.rateLimit, "rate-limit", sandbox.DefaultRateLimit.String(), "the organisation's REST window: requests per duration, e.g. 200/1m; 0 turns it off")
	f.BoolVar(&opts.log, "log", false, "log each request to stderr: method, path, status and duration (never a token)")
	f.StringVar(&opts.userRateLimit, "user-rate-limit", sandbox.DefaultUserRateLimit.String(), "each user's own REST window, besides the organisation's: e.g. 50/1m; 0 turns it off")
	f.StringArrayVar(&opts.userTokens, "user-token", nil, "add a user with a full-access token of its own, NAME=TOKEN (repeatable)")
	f.StringArrayVar(&opts.scopedTokens, "scoped-token", nil, "add a token of the operator's with only these scopes, NAME=scope,scope… (repeatable), e.g. ci=read_agents,write_agents")
	f.BoolVar(&opts.noGraphQLAccess, "no-graphql-access", false, "refuse every token at the GraphQL endpoint, as Buildkite refuses a token without GraphQL access")
	f.StringVar(&opts.faults, "faults", "", "make a share of requests fail: RATE or RATE:kind,... (kinds: 500 502 503 429 hang drop malformed html slow), e.g. 0.2 or 0.1:429,hang")
	return cmd
}

// parseUserTokens reads --user-token NAME=TOKEN flags into name → token.
// A token must be new: two users cannot share one, nor the configured ones.
func parseUserTokens(specs []string, taken ...string) (map[string]string, error) {
	users := map[string]string{}
	seen := map[string]bool{}
	for _, t := range taken {
		seen[t] = true
	}
	for _, spec := range specs {
		name, token, ok := strings.Cut(spec, "=")
		name, token = strings.TrimSpace(name), strings.TrimSpace(token)
		if !ok || name == "" || token == "" {
			return nil, fmt.Errorf("--user-token %q: write NAME=TOKEN", name)
		}
		if _, dup := users[name]; dup {
			return nil, fmt.Errorf("--user-token: user %q is given twice", name)
		}
		if seen[token] {
			return nil, fmt.Errorf("--user-token: user %q's token is already another user's", name)
		}
		seen[token] = true
		users[name] = token
	}
	return users, nil
}

// parseScopedTokens reads --scoped-token NAME=scope,scope… flags into
// token → scopes (NAME is the token's value). A token must be new, as a
// --user-token's must: one value cannot hold two sets of scopes.
func parseScopedTokens(specs []string, taken ...string) (map[string][]string, error) {
	tokens := map[string][]string{}
	seen := map[string]bool{}
	for _, t := range taken {
		seen[t] = true
	}
	for _, spec := range specs {
		token, scopes, err := sandbox.ParseScopedToken(spec)
		if err != nil {
			return nil, usagef("--scoped-token: %v", err)
		}
		if seen[token] {
			return nil, usagef("--scoped-token: the token %q is given twice or is already another's", token)
		}
		seen[token] = true
		tokens[token] = scopes
	}
	return tokens, nil
}

func parseSize(s string) (sandbox.Size, error) {
	switch sandbox.Size(s) {
	case sandbox.SizeDemo, sandbox.SizeLarge, sandbox.SizeEmpty:
		return sandbox.Size(s), nil
	}
	return "", fmt.Errorf("--size must be demo, large or empty, not %q", s)
}

func runSandbox(ctx context.Context, stdout, stderr io.Writer, opts sandboxOptions) error {
	size, err := parseSize(opts.size)
	if err != nil {
		return err
	}
	if opts.token == "" || opts.readOnlyToken == "" || opts.token == opts.readOnlyToken {
		return errors.New("--token and --read-only-token must be set and differ")
	}
	limit, err := sandbox.ParseRateLimit(opts.rateLimit)
	if err != nil {
		return fmt.Errorf("--rate-limit: %w", err)
	}
	userLimit, err := sandbox.ParseRateLimit(opts.userRateLimit)
	if err != nil {
		return fmt.Errorf("--user-rate-limit: %w", err)
	}
	users, err := parseUserTokens(opts.userTokens, opts.token, opts.readOnlyToken)
	if err != nil {
		return err
	}
	taken := []string{opts.token, opts.readOnlyToken}
	for _, t := range users {
		taken = append(taken, t)
	}
	scoped, err := parseScopedTokens(opts.scopedTokens, taken...)
	if err != nil {
		return err
	}
	sb := sandbox.New(sandbox.Options{Org: opts.org, Size: size, Token: opts.token, ReadOnlyToken: opts.readOnlyToken,
		Latency: opts.latency, Seed: opts.seed, RateLimit: limit, UserRateLimit: userLimit, UserTokens: users, ScopedTokens: scoped,
		NoGraphQLAccess: opts.noGraphQLAccess})
	if opts.faults != "" {
		f, err := sandbox.ParseFaults(opts.faults)
		if err != nil {
			return err
		}
		f.Seed = opts.seed
		sb.SetFaults(f)
	}
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", opts.listen, err)
	}
	var handler http.Handler = sb
	if opts.log {
		handler = logRequests(sb, stderr, time.Now, opts.token, opts.readOnlyToken)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Buildkite API sandbox (%s organisation) at %s\n\n", size, base)
	fmt.Fprintf(stdout, "  organisation     %s\n", opts.org)
	fmt.Fprintf(stdout, "  token            %s\n", opts.token)
	fmt.Fprintf(stdout, "  read-only token  %s\n", opts.readOnlyToken)
	rate := "off"
	if limit.On() {
		rate = limit.String() + " per organisation (--rate-limit 0 turns it off)"
	}
	fmt.Fprintf(stdout, "  rate limit       %s\n", rate)
	userRate := "off"
	if userLimit.On() {
		userRate = userLimit.String() + " per user (--user-rate-limit 0 turns it off)"
	}
	fmt.Fprintf(stdout, "  user rate limit  %s\n", userRate)
	for _, spec := range opts.userTokens {
		name, _, _ := strings.Cut(spec, "=")
		fmt.Fprintf(stdout, "  user %-11s %s\n", name, users[name])
	}
	for _, spec := range opts.scopedTokens {
		token, _, _ := strings.Cut(spec, "=")
		token = strings.TrimSpace(token)
		fmt.Fprintf(stdout, "  scoped token     %s: %s\n", token, strings.Join(scoped[token], ","))
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "  curl -H \"Authorization: Bearer %s\" %s/v2/organizations/%s/clusters\n", opts.token, base, opts.org)
	fmt.Fprintf(stdout, "  BUILDKITE_API_TOKEN=%s kiteconsole --endpoint %s --org %s\n\nCtrl-C stops it.\n", opts.token, base, opts.org)

	err = serveUntilDone(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		fmt.Fprintln(stdout, "sandbox stopped")
	}
	return err
}
