package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
	f.StringVar(&opts.faults, "faults", "", "make a share of requests fail: RATE or RATE:kind,... (kinds: 500 502 503 429 hang drop malformed html slow), e.g. 0.2 or 0.1:429,hang")
	return cmd
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
	sb := sandbox.New(sandbox.Options{Org: opts.org, Size: size, Token: opts.token, ReadOnlyToken: opts.readOnlyToken,
		Latency: opts.latency, Seed: opts.seed, RateLimit: limit})
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
		handler = logRequests(sb, stderr, time.Now)
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
	fmt.Fprintf(stdout, "  rate limit       %s\n\n", rate)
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
