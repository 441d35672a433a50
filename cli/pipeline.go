package cli

import (
	"context"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

func newPipelineCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	return groupCommand("pipeline", "List pipelines", "", newPipelineListCommand(stdout, stderr, getenv))
}

// pipelineJSON is a pipeline with the API's field names, limited to what
// describes it: a pipeline's env and provider settings (a webhook URL
// carries a secret) stay out of a runbook's output.
type pipelineJSON struct {
	ID          string  `json:"id"`
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Repository  string  `json:"repository"`
	ClusterID   *string `json:"cluster_id"`
	// Cluster names the pipeline's cluster (the API gives only its id).
	Cluster       *clusterRef      `json:"cluster,omitempty"`
	DefaultBranch string           `json:"default_branch"`
	Visibility    string           `json:"visibility"`
	Tags          []string         `json:"tags"`
	WebURL        string           `json:"web_url"`
	CreatedAt     *model.Timestamp `json:"created_at"`
	ArchivedAt    *model.Timestamp `json:"archived_at"`
}

// pipelineColumns are `pipeline list`'s columns; at 80 columns the
// repository is cut, then left out, before the name is.
var pipelineColumns = []column{{name: "SLUG"}, {name: "NAME", drop: 2, cut: 16}, {name: "REPOSITORY", drop: 3, cut: 24},
	{name: "CLUSTER", drop: 1, cut: 12}, {name: "ARCHIVED"}}

// clusterNamesOf is the organisation's clusters' names by id, for the
// pipelines that name a cluster: one GraphQL query, off the REST windows
// (10,000 pipelines are 100 requests, two of the user's windows; a REST
// list of clusters would wait a third), else one list of clusters over
// REST. Without it a pipeline's cluster is shown by its id, and the
// reason said on stderr.
func (s *session) clusterNamesOf(ctx context.Context, pipelines []model.Pipeline) map[string]string {
	if !slices.ContainsFunc(pipelines, inACluster) {
		return nil
	}
	return s.clusterNames(ctx)
}

// clusterNames is the organisation's clusters' names by id (see
// clusterNamesOf).
func (s *session) clusterNames(ctx context.Context) map[string]string {
	if names, err := s.client.ClusterNames(ctx); err == nil {
		return names
	}
	clusters, err := s.client.ListClusters(ctx, nil)
	if err != nil {
		if ctx.Err() == nil {
			s.note("clusters are shown by id: %s", errorMessage(err))
		}
		return nil
	}
	out := make(map[string]string, len(clusters))
	for _, c := range clusters {
		out[c.ID] = c.Name
	}
	return out
}

// listedPipeline is what `pipeline list --json` prints of a pipeline, as
// the API names it: a list of every pipeline reads only these fields
// (api.ListPipelinesAs).
type listedPipeline struct {
	ID            string           `json:"id"`
	Slug          string           `json:"slug"`
	Name          string           `json:"name"`
	Description   *string          `json:"description"`
	Repository    string           `json:"repository"`
	ClusterID     *string          `json:"cluster_id"`
	DefaultBranch string           `json:"default_branch"`
	Visibility    string           `json:"visibility"`
	Tags          []string         `json:"tags"`
	WebURL        string           `json:"web_url"`
	CreatedAt     *model.Timestamp `json:"created_at"`
	ArchivedAt    *model.Timestamp `json:"archived_at"`
}

func listedOf(p model.Pipeline) listedPipeline {
	return listedPipeline{ID: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description, Repository: p.Repository,
		ClusterID: p.ClusterID, DefaultBranch: p.DefaultBranch, Visibility: p.Visibility, Tags: p.Tags,
		WebURL: p.WebURL, CreatedAt: p.CreatedAt, ArchivedAt: p.ArchivedAt}
}

// toPipelineJSON is p as `pipeline list --json` prints it, its cluster
// named by clusterName.
func toPipelineJSON(p listedPipeline, clusterName map[string]string) pipelineJSON {
	out := pipelineJSON{ID: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description, Repository: redactURL(p.Repository),
		ClusterID: p.ClusterID, DefaultBranch: p.DefaultBranch, Visibility: p.Visibility, Tags: p.Tags,
		WebURL: p.WebURL, CreatedAt: p.CreatedAt, ArchivedAt: p.ArchivedAt}
	if id := model.Value(p.ClusterID); id != "" {
		out.Cluster = &clusterRef{ID: id, Name: clusterName[id]}
	}
	return out
}

// writePipelinesJSON prints every pipeline as JSON, each page encoded as
// it arrives while the pages after it are fetched (and read, by the
// client's workers), rather than the whole list in one pass at the end:
// on 10,000 pipelines that pass was most of the command's time. The
// clusters' names are read beside the pages, from the first page with a
// pipeline in a cluster; pages that arrive before them wait. The JSON is
// written once the list is whole, so a list that fails prints nothing, and
// it is the same as writeJSON's of the whole list.
func (s *session) writePipelinesJSON(ctx context.Context, o output) error {
	ctx, cancel := context.WithCancel(ctx)
	// names brings the clusters' names once they are read (nil when they
	// could not be: the pipelines then name their clusters by id).
	var names chan map[string]string
	var clusterName map[string]string
	named := false
	defer func() {
		cancel()
		if names != nil && !named {
			<-names // the names' reader has ended before the session closes
		}
	}()
	var waiting []listedPipeline
	out := newJSONArray()
	encode := func(pipelines []listedPipeline) error {
		page := make([]pipelineJSON, len(pipelines))
		for i, p := range pipelines {
			page[i] = toPipelineJSON(p, clusterName)
		}
		return add(out, page)
	}
	// Every page is printed: the others are asked for while page 1 is
	// encoded.
	_, err := api.ListPipelinesAs(api.EveryPage(ctx), s.client, func(page api.Page[listedPipeline]) error {
		if page.Number == 1 {
			out.expected = len(page.Items) * max(1, page.Last)
		}
		if names == nil && slices.ContainsFunc(page.Items, func(p listedPipeline) bool { return model.Value(p.ClusterID) != "" }) {
			names = make(chan map[string]string, 1)
			go func() { names <- s.clusterNames(ctx) }()
		}
		if names != nil && !named {
			select {
			case clusterName = <-names:
				named = true
			default:
				waiting = append(waiting, page.Items...)
				return nil
			}
		}
		if err := encode(waiting); err != nil {
			return err
		}
		waiting = nil
		return encode(page.Items)
	})
	if err != nil {
		return err
	}
	if names != nil && !named {
		clusterName, named = <-names, true
	}
	if err := encode(waiting); err != nil {
		return err
	}
	return out.write(o)
}

// inACluster reports whether a pipeline is in a cluster.
func inACluster(p model.Pipeline) bool { return model.Value(p.ClusterID) != "" }

func newPipelineListCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	var name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List pipelines, or those whose name contains TEXT",
		Long: "Lists pipelines. With --name, the API filters by name (partial, case-insensitive), so a large\n" +
			"organisation is not listed whole.\n\n" + exitCodesHelp,
		Example: "  kiteconsole pipeline list --name checkout\n  kiteconsole pipeline list --json | jq -r '.[].slug'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(cmd.Context(), stderr, opts, getenv)
			if err != nil {
				return err
			}
			defer s.Close()
			o := newOutput(stdout, asJSON, getenv)
			if o.json && name == "" {
				return s.writePipelinesJSON(cmd.Context(), o)
			}
			var pipelines []model.Pipeline
			if name != "" {
				var more bool
				pipelines, more, err = s.client.ListPipelinesNamed(cmd.Context(), name)
				if more {
					s.note("more pipelines match %q than are listed here: narrow the name", name)
				}
			} else {
				pipelines, err = s.client.ListPipelines(cmd.Context(), nil)
			}
			if err != nil {
				return err
			}
			clusterName := s.clusterNamesOf(cmd.Context(), pipelines)
			if o.json {
				out := make([]pipelineJSON, len(pipelines))
				for i, p := range pipelines {
					out[i] = toPipelineJSON(listedOf(p), clusterName)
				}
				return o.writeJSON(out)
			}
			rows := make([][]string, len(pipelines))
			for i, p := range pipelines {
				archived := ""
				if p.Archived() {
					archived = "archived " + p.ArchivedAt.UTC().Format(time.DateOnly)
				}
				cluster := model.Value(p.ClusterID)
				if name := clusterName[cluster]; name != "" {
					cluster = name
				}
				rows[i] = []string{p.Slug, p.Name, redactURL(p.Repository), cluster, archived}
			}
			return o.columns(pipelineColumns, rows)
		},
	}
	f := cmd.Flags()
	addAPIFlags(f, &opts)
	addAuditFlag(f, &opts)
	f.StringVar(&name, "name", "", "only pipelines whose name contains this (any case)")
	f.BoolVar(&asJSON, "json", false, "print JSON with the API's field names")
	return cmd
}

// redactURL hides the password of a URL: an HTTPS clone URL can carry
// a token ("https://x-access-token:ghs_…@github.com/…"), so can an
// endpoint, and no token's value is printed. The rest (the user, the
// host, the path) stays, so the URL can still be told apart. What is not
// a URL (an SSH remote, git@github.com:…) is left as it is.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	u.User = url.UserPassword(u.User.Username(), "REDACTED")
	return u.String()
}
