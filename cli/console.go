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

	tea "charm.land/bubbletea/v2"
	"golang.org/x/sync/errgroup"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
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
func StartDemo(readOnly bool) (*Backend, error) {
	sb := sandbox.New(sandbox.Options{Size: sandbox.SizeDemo})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the demo sandbox: %w", err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	client, err := api.New(api.Config{Endpoint: "http://" + ln.Addr().String(), Org: sb.Org(), Token: sb.Token(), ReadOnly: readOnly})
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	return &Backend{Client: client, Demo: true, stop: func() { _ = srv.Close() }}, nil
}

// openBackend is the demo sandbox or the real API, as the options say.
func openBackend(opts rootOptions, getenv func(string) string) (*Backend, error) {
	if opts.demo {
		return StartDemo(opts.readOnly)
	}
	client, err := api.New(clientConfig(opts, getenv))
	if err != nil {
		return nil, err
	}
	return &Backend{Client: client}, nil
}

func runConsole(ctx context.Context, stdout io.Writer, opts rootOptions, getenv func(string) string) error {
	backend, err := openBackend(opts, getenv)
	if err != nil {
		return err
	}
	defer backend.Close()
	app := ui.New(ctx, ui.Options{Client: backend.Client, Demo: backend.Demo, Refresh: opts.refresh, Dark: true})
	p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithOutput(stdout))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("the console stopped: %w", err)
	}
	return nil
}

// printSummary prints the organisation's clusters, queues and pipelines,
// fetched through the client: until the full-screen console lands, this
// is what proves the whole path.
func printSummary(ctx context.Context, w io.Writer, b *Backend) error {
	c := b.Client
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		return err
	}
	queues := make([][]model.Queue, len(clusters))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, cl := range clusters {
		g.Go(func() error {
			qs, err := c.ListQueues(gctx, cl.ID, nil)
			queues[i] = qs
			return err
		})
	}
	var pipelines []model.Pipeline
	g.Go(func() error {
		var err error
		pipelines, err = c.ListPipelines(gctx, nil)
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}

	where := c.Endpoint()
	if b.Demo {
		where = "embedded demo sandbox"
	}
	fmt.Fprintf(w, "%s (%s)\n\n", c.Org(), where)
	fmt.Fprintf(w, "Clusters (%d)\n", len(clusters))
	for i, cl := range clusters {
		paused := 0
		for _, q := range queues[i] {
			if q.DispatchPaused {
				paused++
			}
		}
		fmt.Fprintf(w, "  %s %s — %s · %d queues, %d paused\n", model.Value(cl.Emoji), cl.Name, model.Value(cl.Description), len(queues[i]), paused)
		for _, q := range queues[i] {
			fmt.Fprintf(w, "      %-14s %-26s %s\n", q.Key, queueKind(q), queueState(q))
		}
	}
	archived := 0
	for _, p := range pipelines {
		if p.Archived() {
			archived++
		}
	}
	fmt.Fprintf(w, "\nPipelines: %d (%d archived)\n", len(pipelines), archived)
	return nil
}

func queueKind(q model.Queue) string {
	if q.Hosted && q.HostedAgents != nil {
		s := q.HostedAgents.InstanceShape
		return fmt.Sprintf("hosted %s", s.Name)
	}
	return "self-hosted"
}

func queueState(q model.Queue) string {
	if !q.DispatchPaused {
		return "running"
	}
	parts := []string{"PAUSED"}
	if by := q.DispatchPausedBy.DisplayName(); by != "" {
		parts = append(parts, "by "+by)
	}
	if note := model.Value(q.DispatchPausedNote); note != "" {
		parts = append(parts, "“"+note+"”")
	}
	return strings.Join(parts, " ")
}
