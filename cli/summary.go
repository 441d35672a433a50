package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kyokomi/emoji/v2"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

// errMoreClusters stops the list of clusters after its first page.
var errMoreClusters = errors.New("more clusters than one page")

// summaryBudget is the most requests summary spends: a large
// organisation's counts come from one request each (per_page=1 and the
// Link header's last page), and what would take more is left out, and
// said so.
const summaryBudget = 10

func newSummaryCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "summary",
		Short: "Print the organisation's clusters, queues and pipelines, and exit",
		Long: fmt.Sprintf("Prints the organisation's clusters, their queues and the count of pipelines, in at most %d requests:\n"+
			"what would take more (every cluster's queues in a large organisation, the archived pipelines of more\n"+
			"than a page) is left out, and the output says so.\n\n%s", summaryBudget, exitCodesHelp),
		Example: "  kiteconsole summary --demo\n  kiteconsole summary --json | jq '.pipelines.count'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			settings, err := resolve(cmd.Context(), opts, getenv)
			if err != nil {
				return err
			}
			// The same warnings as the console (a token file others can read).
			printWarnings(stderr, settings)
			backend, stopWatch, err := openCommandBackend(opts, settings, nil, stderr)
			if err != nil {
				return err
			}
			defer backend.Close()
			defer stopWatch()
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			sum, err := collectSummary(ctx, backend)
			if err != nil {
				return err
			}
			o := newOutput(stdout, asJSON, getenv)
			if o.json {
				return o.writeJSON(sum)
			}
			return printSummary(stdout, sum)
		},
	}
	addAPIFlags(cmd.Flags(), &opts)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (clusters and queues with the API's field names)")
	return cmd
}

// summary is what summary prints; its JSON is --json's.
type summary struct {
	Organization string           `json:"organization"`
	Endpoint     string           `json:"endpoint"`
	Clusters     []summaryCluster `json:"clusters"`
	// ClusterCount is every cluster, when Clusters holds only the first
	// page of them.
	ClusterCount int              `json:"cluster_count"`
	Pipelines    summaryPipelines `json:"pipelines"`
	// LeftOut says what was not counted, and why.
	LeftOut []string `json:"left_out,omitempty"`
	// Requests is how many requests the summary took.
	Requests int  `json:"requests"`
	demo     bool `json:"-"`
}

type summaryCluster struct {
	model.Cluster
	// The queue counts and queues are absent when they were left out.
	QueueCount  *int          `json:"queue_count,omitempty"`
	PausedCount *int          `json:"paused_count,omitempty"`
	Queues      []model.Queue `json:"queues,omitempty"`
}

type summaryPipelines struct {
	Count    int  `json:"count"`
	Archived *int `json:"archived,omitempty"`
}

// collectSummary asks for the clusters (one page for up to 100), the
// first page of pipelines (which is all of them in a small organisation),
// the count of pipelines when there are more, and each cluster's queues
// when there are few enough clusters for the budget.
func collectSummary(ctx context.Context, b *Backend) (*summary, error) {
	c := b.Client
	sum := &summary{Organization: c.Org(), Endpoint: redactURL(c.Endpoint()), demo: b.Demo}
	// The first page of clusters (up to 100: every cluster, in all but
	// the largest organisations), and their count when there are more.
	var clusters []model.Cluster
	if _, err := c.ListClusters(ctx, func(p api.Page[model.Cluster]) error {
		clusters = p.Items
		if p.Number < p.Last || p.Last == 0 && len(p.Items) == api.PerPage {
			return errMoreClusters
		}
		return nil
	}); err != nil && !errors.Is(err, errMoreClusters) {
		return nil, err
	} else if err != nil {
		sum.Requests++
		n, err := c.CountClusters(ctx)
		if err != nil && !errors.Is(err, api.ErrUncountable) {
			return nil, err
		}
		sum.ClusterCount = max(n, len(clusters))
		sum.LeftOut = append(sum.LeftOut, fmt.Sprintf("clusters after the first %d", len(clusters)))
	} else {
		sum.ClusterCount = len(clusters)
	}
	sum.Requests++
	first, more, err := c.FirstPipelines(ctx)
	if err != nil {
		return nil, err
	}
	sum.Requests++
	sum.Pipelines.Count = len(first)
	if more {
		n, err := c.CountPipelines(ctx)
		sum.Requests++
		switch {
		case errors.Is(err, api.ErrUncountable):
			sum.LeftOut = append(sum.LeftOut, "the count of pipelines: the API did not name its last page")
		case err != nil:
			return nil, err
		default:
			sum.Pipelines.Count = n
		}
		sum.LeftOut = append(sum.LeftOut, "archived pipelines: counting them means listing every pipeline")
	} else {
		archived := 0
		for _, p := range first {
			if p.Archived() {
				archived++
			}
		}
		sum.Pipelines.Archived = &archived
	}
	sum.Clusters = make([]summaryCluster, len(clusters))
	for i, cl := range clusters {
		sum.Clusters[i].Cluster = cl
	}
	left := summaryBudget - sum.Requests
	if len(clusters) > left {
		// GraphQL counts every cluster's queues and paused ones in a query
		// or two, off the REST budget; each queue's row would still take
		// a request a cluster.
		if home, err := c.ClusterCounts(ctx, clusters, true); err == nil {
			for i, cl := range clusters {
				if n := home.Clusters[cl.ID]; n.PausedKnown {
					queues, paused := n.Queues, n.PausedQueues
					sum.Clusters[i].QueueCount, sum.Clusters[i].PausedCount = &queues, &paused
				}
			}
		}
		sum.LeftOut = append(sum.LeftOut, fmt.Sprintf("queues: %d clusters would take %d requests "+
			"(kiteconsole queue list --cluster NAME lists one cluster's)", len(clusters), len(clusters)))
		return sum, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, cl := range clusters {
		g.Go(func() error {
			qs, err := c.ListQueues(gctx, cl.ID, nil)
			if err != nil {
				return err
			}
			paused := 0
			for _, q := range qs {
				if q.DispatchPaused {
					paused++
				}
			}
			n := len(qs)
			sum.Clusters[i].Queues, sum.Clusters[i].QueueCount, sum.Clusters[i].PausedCount = qs, &n, &paused
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sum.Requests += len(clusters)
	return sum, nil
}

// printSummary prints the summary for a person. Every string from the
// API is cleaned; queue columns line up across clusters by display width.
func printSummary(w io.Writer, sum *summary) error {
	where := sum.Endpoint
	if sum.demo {
		where = "embedded demo sandbox"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n\n", termsafe.Text(sum.Organization), termsafe.Text(where))
	fmt.Fprintf(&b, "Clusters (%d)\n", sum.ClusterCount)
	// One set of column widths for every cluster's queues.
	var all [][]string
	for _, cl := range sum.Clusters {
		for _, q := range cl.Queues {
			all = append(all, []string{termsafe.Text(q.Key), termsafe.Text(queueKind(q)), termsafe.Text(queueState(q))})
		}
	}
	widths := make([]int, 3)
	for _, r := range all {
		for j, cell := range r {
			widths[j] = max(widths[j], ansi.StringWidth(cell))
		}
	}
	row := 0
	for _, cl := range sum.Clusters {
		line := "  "
		if e := emojiText(model.Value(cl.Emoji)); e != "" {
			line += e + " "
		}
		line += termsafe.Text(cl.Name)
		if d := termsafe.Text(model.Value(cl.Description)); d != "" {
			line += " — " + d
		}
		if cl.QueueCount != nil {
			line += fmt.Sprintf(" · %s, %d paused", plural(*cl.QueueCount, "queue", "queues"), *cl.PausedCount)
		}
		b.WriteString(line + "\n")
		for range cl.Queues {
			b.WriteString("      " + alignRow(all[row], widths, "  ") + "\n")
			row++
		}
	}
	fmt.Fprintf(&b, "\nPipelines: %d", sum.Pipelines.Count)
	if sum.Pipelines.Archived != nil {
		fmt.Fprintf(&b, " (%d archived)", *sum.Pipelines.Archived)
	}
	b.WriteString("\n")
	if len(sum.LeftOut) > 0 {
		b.WriteString("\nLeft out, to keep to " + plural(summaryBudget, "request", "requests") + ":\n")
		for _, l := range sum.LeftOut {
			b.WriteString("  " + l + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func queueKind(q model.Queue) string {
	if q.Hosted && q.HostedAgents != nil {
		return "hosted " + q.HostedAgents.InstanceShape.Name
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

var shortcode = regexp.MustCompile(`^:[a-z0-9_+\-]+:$`)

// emojiText is a cluster's emoji as a terminal shows it: the Unicode
// emoji of a :shortcode:, nothing for a shortcode with none (Buildkite's
// own, such as :buildkite:), which printed raw is only noise.
func emojiText(code string) string {
	code = termsafe.Text(strings.TrimSpace(code))
	if code == "" {
		return ""
	}
	if shortcode.MatchString(code) {
		if e, ok := emoji.CodeMap()[code]; ok {
			return strings.TrimSpace(e)
		}
		return ""
	}
	return code
}
