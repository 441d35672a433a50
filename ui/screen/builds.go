package screen

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// recentBuilds is how many builds a builds list asks for: one request
// (the API's largest page), newest first.
const recentBuilds = 100

// buildSlug is the pipeline a build belongs to: its own pipeline when the
// list carries it, else the one the list is of.
func buildSlug(b model.Build, slug string) string {
	if b.Pipeline != nil && b.Pipeline.Slug != "" {
		return b.Pipeline.Slug
	}
	if slug != "" {
		return slug
	}
	// The organisation's list without pipelines: the build's URL names it.
	if _, rest, ok := strings.Cut(b.URL, "/pipelines/"); ok {
		slug, _, _ = strings.Cut(rest, "/")
	}
	return slug
}

// buildListSpec is the list of builds, of one pipeline (slug) or of the
// organisation (slug empty, with a PIPELINE column).
func buildListSpec(c *common.Common, slug string, extra ...component.ListKey[model.Build]) component.ListSpec[model.Build] {
	k := c.Keys
	cols := []component.ListColumn[model.Build]{
		component.Col("#", 5, 0, 0, func(b model.Build) string { return strconv.Itoa(b.Number) }),
		component.Col("STATE", 12, 0, 0, present.BuildState),
	}
	if slug == "" {
		cols = append(cols, component.Col("PIPELINE", 14, 1, 0, func(b model.Build) string {
			if b.Pipeline != nil && b.Pipeline.Name != "" {
				return common.Emojize(b.Pipeline.Name)
			}
			return buildSlug(b, "")
		}))
	}
	cols = append(cols,
		component.Col("BRANCH", 12, 1, 0, func(b model.Build) string { return b.Branch }),
		component.Col("MESSAGE", 16, 3, 0, func(b model.Build) string { return present.FirstLine(b.Message) }),
		component.Col("AUTHOR", 12, 1, 100, present.BuildAuthor),
		component.Col("CREATED", 8, 0, 0, func(b model.Build) present.Cell {
			if b.CreatedAt == nil {
				return nil
			}
			return present.As(present.Muted, present.Ago(c.Now(), b.CreatedAt.Time))
		}),
		component.Col("TOOK", 7, 0, 90, func(b model.Build) string { return present.Duration(b.Duration(c.Now())) }),
	)
	keys := []component.ListKey[model.Build]{
		component.OnItem(k.Open, func(b model.Build) common.Reply {
			return Open(c, "build", BuildArg{Slug: buildSlug(b, slug), Number: b.Number})
		}),
	}
	keys = append(keys, extra...)
	keys = append(keys,
		component.OnItem(k.CancelBuild, func(b model.Build) common.Reply { return confirmCancelBuild(c, buildSlug(b, slug), b) }),
		component.OnItem(k.Rebuild, func(b model.Build) common.Reply { return rebuild(c, buildSlug(b, slug), b) }),
		component.Shown[model.Build](k.Filter),
		component.Shown[model.Build](k.Back),
	)
	return component.ListSpec[model.Build]{
		Legend: present.LegendBuilds,
		Noun:   "builds", Empty: "no builds",
		Columns: cols,
		Key:     func(b model.Build) string { return b.ID },
		Match: func(b model.Build) (string, int) {
			n := strconv.Itoa(b.Number)
			return n + " " + b.Branch + " " + b.Message + " " + present.BuildAuthor(b) + " " + b.State, len(n)
		},
		Keys: keys,
		Link: func(b model.Build) (string, string, string) { return "build", b.WebURL, b.ID },
	}
}

// buildStateFilters are what s steps through on a pipeline's builds: the
// API's state filter, none first.
var buildStateFilters = [][]string{
	nil,
	{model.BuildRunning},
	{model.BuildScheduled},
	{model.BuildFailing, model.BuildFailed},
	{model.BuildBlocked},
	{model.BuildPassed},
	{model.BuildCanceled},
}

// buildsPane is a pipeline's Builds tab: its newest builds, filtered by
// the API by state (s) and branch (b), reloaded by the timer so that new
// builds appear.
type buildsPane struct {
	c        *common.Common
	slug     string
	list     *component.List[model.Build]
	stateIdx int
	branch   string
	// defaultBranch is the pipeline's, for a new build's form.
	defaultBranch func() string
	// editing is set while the branch is typed.
	editing bool
	input   textinput.Model
}

func newBuildsPane(c *common.Common, slug string, defaultBranch func() string) *buildsPane {
	p := &buildsPane{c: c, slug: slug, input: textinput.New(), defaultBranch: defaultBranch}
	p.input.Prompt = "branch: "
	p.input.Placeholder = "main, or a pattern (feature/*); empty for every branch"
	p.input.CharLimit = 200
	p.list = component.NewList(c, buildListSpec(c, slug,
		component.OnList[model.Build](c.Keys.New, func() common.Reply { return component.PushForm(c, newBuildForm(c, slug, p.defaultBranch())) }).Needs(api.ActionCreateBuild),
		component.OnItem(c.Keys.RetryFailed, func(b model.Build) common.Reply { return retryFailed(c, slug, b) }),
		component.Shown[model.Build](c.Keys.StateFilter),
		component.Shown[model.Build](c.Keys.BranchFilter),
	))
	return p
}

func (p *buildsPane) filter() model.BuildFilter {
	return model.BuildFilter{States: buildStateFilters[p.stateIdx], Branch: p.branch, ExcludeJobs: true, ExcludePipeline: true}
}

// load is the pane's one request, with the filter on show: the reply to
// an older filter is dropped by the list's generation check.
func (p *buildsPane) load(lane org.Lane) tea.Cmd {
	slug, filter, client := p.slug, p.filter(), p.c.Client
	p.list.SetSource(func(ctx context.Context) ([]model.Build, error) {
		return client.RecentBuilds(ctx, slug, filter, recentBuilds)
	})
	return p.list.LoadBehind(lane)
}

// FilterLine says which filter is on, above the list.
func (p *buildsPane) FilterLine() string {
	st := p.c.Styles
	if p.editing {
		p.input.SetWidth(max(10, p.c.Width-10))
		return p.input.View()
	}
	state := "every state"
	if f := buildStateFilters[p.stateIdx]; f != nil {
		state = strings.Join(f, " or ")
	}
	branch := "every branch"
	if p.branch != "" {
		branch = "branch " + component.Text(p.branch)
	}
	return st.Muted.Render(fmt.Sprintf("%s · %s · newest %d  (s state, b branch)", state, branch, recentBuilds))
}

func (p *buildsPane) Capturing() bool         { return p.editing || p.list.Capturing() }
func (p *buildsPane) Help() []key.Binding     { return p.list.Help() }
func (p *buildsPane) Legend() []string        { return p.list.Legend() }
func (p *buildsPane) MoreHelp() []key.Binding { return p.list.MoreHelp() }
func (p *buildsPane) View(width, height int) string {
	return p.FilterLine() + "\n" + p.list.View(width, height-1)
}

// Take takes in the pane's own replies, while another tab is on show.
func (p *buildsPane) Take(msg tea.Msg) (bool, common.Reply) { return p.list.Take(msg) }

// Update handles the pane's own keys (the filters, which reload it) and
// the list's. top is the line the table starts on.
func (p *buildsPane) Update(msg tea.Msg, top int) (bool, common.Reply) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if p.editing {
			switch k.String() {
			case "enter":
				p.editing = false
				p.branch = strings.TrimSpace(p.input.Value())
				return true, common.Do(p.load(org.Interactive))
			case "esc":
				p.editing = false
				p.input.SetValue(p.branch)
				return true, common.Reply{}
			}
			var cmd tea.Cmd
			p.input, cmd = p.input.Update(msg)
			return true, common.Do(cmd)
		}
		if !p.list.Capturing() {
			switch {
			case key.Matches(k, p.c.Keys.StateFilter):
				p.stateIdx = (p.stateIdx + 1) % len(buildStateFilters)
				return true, common.Do(p.load(org.Interactive))
			case key.Matches(k, p.c.Keys.BranchFilter):
				p.editing = true
				p.input.SetValue(p.branch)
				p.input.CursorEnd()
				return true, common.Do(p.input.Focus())
			}
		}
	}
	return p.list.Update(msg, top+1)
}

// NewBuildsScreen is :builds — the organisation's running, scheduled and
// failing builds across its pipelines, newest first, in one request.
func NewBuildsScreen(c *common.Common) *component.ListScreen[model.Build] {
	spec := buildListSpec(c, "")
	spec.Empty = "no running, scheduled or failing builds"
	// more says whether more builds match than the one request read: set
	// on the event loop, when a reply is shown.
	var more api.BuildsMore
	spec.Fetch = func(ctx context.Context) (func() []model.Build, error) {
		builds, m, err := c.Client.RecentBuildsMore(ctx, "", model.BuildFilter{
			States: []string{model.BuildRunning, model.BuildScheduled, model.BuildFailing}, ExcludeJobs: true}, recentBuilds)
		return func() []model.Build { more = m; return builds }, err
	}
	return component.NewListScreen(c, component.ListScreenSpec[model.Build]{
		Crumb: "Builds", Title: "Running, scheduled and failing builds",
		List: spec,
		Panel: func(int) []string {
			if !more.More {
				return nil
			}
			return []string{component.Text(buildsMoreText(more))}
		},
		Update: func(_ *component.List[model.Build], msg tea.Msg) common.Reply {
			if _, ok := msg.(BuildChanged); ok {
				// Cancelled or rebuilt from here: show the API's list now.
				return common.Do(common.Send(common.RefreshMsg{Lane: org.Fresh}))
			}
			return common.Reply{}
		},
	})
}

// buildsMoreText says that a builds list holds the newest of more
// builds: "the first 100 of about 2,401, newest first".
func buildsMoreText(m api.BuildsMore) string {
	if m.About > recentBuilds {
		return fmt.Sprintf("first %d of about %s, newest first", recentBuilds, common.Thousands(m.About))
	}
	return fmt.Sprintf("first %d, newest first: more match", recentBuilds)
}

func init() {
	Register(Registration[NoArg]{Name: "builds", Command: "builds", Place: 30,
		Open: func(c *common.Common, _ NoArg) common.Screen { return NewBuildsScreen(c) }})
}
