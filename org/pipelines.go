package org

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// Pipelines is the organisation's pipelines, fetched once and shared by
// every screen that shows them: the pipelines screen, each cluster's
// Pipelines tab and the palette. The API cannot list one cluster's
// pipelines, so sharing one list is what keeps the tabs cheap.
//
// A first load shows each page as it comes; a refresh gathers the new
// list aside and shows it when complete, so the list on screen never
// shrinks to a first page.
type Pipelines struct {
	Items    []model.Pipeline
	Loaded   bool
	Loading  bool
	Err      error
	LoadedAt time.Time
	// Page and Last say how far the load in progress is: page Page of
	// about Last.
	Page, Last int
	// Partial is set when the list was loaded but is not whole: pipelines
	// that could not be read (api.SkippedError) or pages that could not
	// be followed (api.ErrPagination). Items holds what was read; a
	// screen shows it with this said above it.
	Partial error

	display func(string) string
	now     func() time.Time
	// names are the pipelines' names made safe to draw, by id: made once
	// as pages arrive, not at every redraw.
	names    map[string]string
	users    map[string]*model.User
	gen      int
	incoming []model.Pipeline
}

// PipelinesPage is one page of the list as it arrives. The last one has
// Done set (and Err if the load failed).
type PipelinesPage struct {
	Gen          int
	Items        []model.Pipeline
	Number, Last int
	Done         bool
	Err          error
}

// Load fetches the list unless it is loaded or on its way; force fetches
// it again. The pages come on the channel, which is closed after the page
// with Done; each is to be given to Apply on the event loop. started is
// false when nothing was started (single flight: one load at a time).
func (pc *Pipelines) Load(ctx context.Context, client *api.Client, lane Lane, force bool) (pages <-chan PipelinesPage, started bool) {
	if pc.Loading || (pc.Loaded && !force) {
		return nil, false
	}
	pc.Loading, pc.incoming, pc.Page, pc.Last = true, nil, 0, 0
	pc.gen++
	gen := pc.gen
	ch := make(chan PipelinesPage, 2)
	reqCtx := lane.Context(ctx)
	go func() {
		defer close(ch)
		_, err := client.ListPipelines(reqCtx, func(p api.Page[model.Pipeline]) error {
			select {
			case ch <- PipelinesPage{Gen: gen, Items: p.Items, Number: p.Number, Last: p.Last}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		select {
		case ch <- PipelinesPage{Gen: gen, Done: true, Err: err}:
		case <-ctx.Done():
		}
	}()
	return ch, true
}

// Current reports that a page belongs to the load in progress, not to
// one a switch of organisation or a newer load replaced.
func (pc *Pipelines) Current(p PipelinesPage) bool { return p.Gen == pc.gen }

// Apply takes in a page of the load in progress.
func (pc *Pipelines) Apply(m PipelinesPage) {
	if !pc.Current(m) {
		return
	}
	if pc.names == nil {
		pc.names = map[string]string{}
	}
	for i := range m.Items {
		pc.names[m.Items[i].ID] = pc.displayName(m.Items[i].Name)
		pc.compact(&m.Items[i])
	}
	if m.Done {
		pc.Loading = false
		_, skipped := api.Partial(m.Err)
		partial := skipped || errors.Is(m.Err, api.ErrPagination)
		if m.Err != nil && !partial {
			pc.Err = m.Err
			return
		}
		if pc.Loaded {
			pc.Items = pc.incoming
		}
		pc.incoming, pc.Loaded, pc.Err, pc.LoadedAt = nil, true, nil, pc.now()
		pc.Partial = nil
		if partial {
			pc.Partial = m.Err
		}
		return
	}
	pc.Page, pc.Last = m.Number, m.Last
	if m.Number == 1 && m.Last > 1 { // room for the whole list at once
		if pc.Loaded {
			pc.incoming = make([]model.Pipeline, 0, m.Last*len(m.Items))
		} else {
			pc.Items = make([]model.Pipeline, 0, m.Last*len(m.Items))
		}
	}
	if pc.Loaded {
		pc.incoming = append(pc.incoming, m.Items...)
	} else {
		pc.Items = append(pc.Items, m.Items...)
	}
}

func (pc *Pipelines) apply(c Change) {
	switch c := c.(type) {
	case PipelineChanged:
		pc.Items, _ = Upsert(pc.Items, c.Pipeline, func(p model.Pipeline) bool { return p.ID == c.Pipeline.ID })
		if pc.names != nil {
			pc.names[c.Pipeline.ID] = pc.displayName(c.Pipeline.Name)
		}
	case PipelineRemoved:
		pc.Items = slices.DeleteFunc(pc.Items, func(p model.Pipeline) bool { return p.Slug == c.Slug })
	}
}

func (pc *Pipelines) displayName(name string) string {
	if pc.display == nil {
		return name
	}
	return pc.display(name)
}

// Name is the pipeline's name ready to draw.
func (pc *Pipelines) Name(p *model.Pipeline) string {
	if n, ok := pc.names[p.ID]; ok {
		return n
	}
	return pc.displayName(p.Name)
}

// Find is the pipeline with this slug.
func (pc *Pipelines) Find(slug string) (model.Pipeline, bool) {
	for i := range pc.Items {
		if pc.Items[i].Slug == slug {
			return pc.Items[i], true
		}
	}
	return model.Pipeline{}, false
}

var yes, no = true, false

// compact shares what thousands of pipelines hold alike — the users who
// created them, true and false, empty maps — so a large organisation's
// list takes less memory.
func (pc *Pipelines) compact(p *model.Pipeline) {
	if pc.users == nil {
		pc.users = map[string]*model.User{}
	}
	if u := p.CreatedBy; u != nil {
		if shared, ok := pc.users[u.ID]; ok {
			p.CreatedBy = shared
		} else {
			pc.users[u.ID] = u
		}
	}
	if len(p.Env) == 0 {
		p.Env = nil
	}
	for i := range p.Steps {
		if len(p.Steps[i].Env) == 0 {
			p.Steps[i].Env = nil
		}
	}
	ps := &p.Provider.Settings
	for _, b := range []**bool{&ps.FilterEnabled, &ps.BuildBranches, &ps.BuildPullRequests, &ps.BuildTags,
		&ps.CancelDeletedBranchBuilds, &ps.PublishCommitStatus, &ps.PublishCommitStatusPerStep,
		&ps.PullRequestBranchFilterEnabled, &ps.SkipBuildsForExistingCommits, &ps.SkipPullRequestBuildsForExistingCommits,
		&ps.BuildPullRequestForks, &ps.BuildPullRequestLabelsChanged, &ps.BuildPullRequestReadyForReview,
		&ps.PrefixPullRequestForkBranchNames, &ps.PublishBlockedAsPending, &ps.SeparatePullRequestStatuses, &ps.UseStepKeyAsCommitStatus} {
		if *b != nil {
			if **b {
				*b = &yes
			} else {
				*b = &no
			}
		}
	}
}

// SearchText is what a filter searches for a pipeline: its name, its
// slug where it is more than the name in lower case, and the repository's
// path. Leaving out what repeats keeps a keystroke over 10,000 pipelines
// within a frame.
func SearchText(p *model.Pipeline, name string) string {
	text := name
	if derived, err := model.DeriveSlug(p.Name); err != nil || derived != p.Slug {
		text += " " + p.Slug
	}
	return text + " " + RepoPath(p.Repository)
}

// RepoPath is a repository URL without its scheme, host and .git:
// git@github.com:acme-inc/app.git is acme-inc/app.
func RepoPath(repo string) string {
	r := strings.TrimSuffix(repo, ".git")
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
		if j := strings.IndexByte(r, '/'); j >= 0 {
			r = r[j+1:]
		}
		return r
	}
	if i := strings.IndexByte(r, ':'); i >= 0 {
		return r[i+1:]
	}
	return r
}
