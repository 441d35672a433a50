package screen

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// pipelineScreen shows a pipeline in two tabs: its settings (every
// field, its provider settings, and its YAML configuration or visual
// steps in a scrolling viewport) and its builds.
type pipelineScreen struct {
	common.ScreenBase
	p      model.Pipeline
	view   viewport.Model
	gone   bool
	tabs   component.Tabs
	builds *buildsPane
}

const (
	pipelineTabSettings = iota
	pipelineTabBuilds
)

type pipelineLoaded struct {
	// slug is the one the pipeline was read by: a reply for a slug a
	// rename has since changed is dropped.
	slug string
	p    model.Pipeline
	err  error
}

func NewPipelineScreen(c *common.Common, p model.Pipeline) *pipelineScreen {
	s := &pipelineScreen{ScreenBase: common.NewBase(c), p: p, view: viewport.New(),
		tabs: component.Tabs{C: c, Names: []string{"Settings", "Builds"}}}
	s.builds = newBuildsPane(c, p.Slug, func() string { return s.p.DefaultBranch })
	s.builds.list.Attach(&s.ScreenBase)
	s.tabs.Panes = []component.Pane{nil, s.builds}
	s.layout()
	return s
}

// NewPipelineBuildsScreen opens a pipeline on its Builds tab.
func NewPipelineBuildsScreen(c *common.Common, p model.Pipeline) common.Screen {
	s := NewPipelineScreen(c, p)
	s.tabs.Current = pipelineTabBuilds
	return s
}

func (s *pipelineScreen) Crumb() string { return common.Emojize(s.p.Name) }

// Legend and MoreHelp are the tab on show's, for the help.
func (s *pipelineScreen) Legend() []string        { return s.tabs.Legend() }
func (s *pipelineScreen) MoreHelp() []key.Binding { return s.tabs.MoreHelp() }
func (s *pipelineScreen) Capturing() bool {
	return s.tabs.Capturing()
}
func (s *pipelineScreen) Help() []key.Binding {
	k := s.C.Keys
	if s.tabs.Current == pipelineTabBuilds {
		return append([]key.Binding{k.NextTab}, s.builds.Help()...)
	}
	return []key.Binding{k.NextTab, k.Up, k.Down, k.Edit, k.Archive, k.Webhook, k.Delete, k.Browse, k.CopyURL, k.Back}
}

// KeyAction is the action a key takes here (common.KeyActions): on the
// builds tab, its list's; on the settings, edit and delete change the
// pipeline.
func (s *pipelineScreen) KeyAction(b key.Binding) (api.Action, bool) {
	if s.tabs.Current == pipelineTabBuilds {
		return s.builds.list.KeyAction(b)
	}
	k := s.C.Keys
	if sameKey(b, k.Edit) || sameKey(b, k.Delete) {
		return api.ActionChangePipeline, true
	}
	return "", false
}

func (s *pipelineScreen) Init() tea.Cmd {
	if s.tabs.Current == pipelineTabBuilds {
		return tea.Batch(s.load(org.Interactive), s.loadBuilds(org.Interactive))
	}
	return s.load(org.Interactive)
}

func (s *pipelineScreen) loadBuilds(lane org.Lane) tea.Cmd { return s.builds.load(lane) }

func (s *pipelineScreen) load(lane org.Lane) tea.Cmd {
	slug := s.p.Slug
	return s.Run(lane, "loading pipeline", func(ctx context.Context) tea.Msg {
		p, err := s.C.Client.GetPipeline(ctx, slug)
		return pipelineLoaded{slug: slug, p: p, err: err}
	})
}

func (s *pipelineScreen) layout() {
	s.view.SetWidth(s.C.Width)
	s.view.SetHeight(max(1, s.C.Height-1))
	// The title goes beside the tabs, above the viewport.
	_, rest, _ := strings.Cut(s.content(), "\n")
	s.view.SetContent(rest)
}

func (s *pipelineScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	k := s.C.Keys
	if km, ok := msg.(tea.KeyPressMsg); ok && !s.Capturing() && s.tabs.Key(km) {
		if s.tabs.Current == pipelineTabBuilds && !s.builds.list.Known {
			return s, s.loadBuilds(org.Interactive)
		}
		return s, nil
	}
	if m, ok := msg.(BuildChanged); ok && m.Slug == s.p.Slug {
		// A build made here: show the builds, reloaded, with the cursor on
		// a new one (a rebuild, a new build), which the reload keeps.
		s.tabs.Current = pipelineTabBuilds
		if m.Build.ID != "" && s.builds.list.Known {
			// Selected even when a load got it in first.
			s.builds.list.Upsert(m.Build)
			s.builds.list.Select(m.Build)
		}
		return s, s.loadBuilds(org.Fresh)
	}
	if used, cmd := s.tabs.Route(msg, 1); used {
		return common.Answer(s, cmd)
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.layout()
	case pipelineLoaded:
		if common.Deferred(msg.err) || msg.slug != s.p.Slug {
			return s, nil
		}
		if msg.err != nil {
			return s, common.Flash(common.FlashError, "could not load the pipeline: "+common.ErrorText(msg.err))
		}
		s.p = msg.p
		s.layout()
	case org.PipelineChanged:
		if msg.Pipeline.ID == s.p.ID {
			renamed := msg.Pipeline.Slug != s.p.Slug
			s.p = msg.Pipeline
			s.layout()
			if renamed {
				// The slug followed a rename: the builds are read under
				// the new one (the old one is gone).
				s.builds = newBuildsPane(s.C, s.p.Slug, func() string { return s.p.DefaultBranch })
				s.builds.list.Attach(&s.ScreenBase)
				s.tabs.Panes[pipelineTabBuilds] = s.builds
				return s, s.loadBuilds(org.Interactive)
			}
		}
	case org.PipelineRemoved:
		if msg.Slug == s.p.Slug {
			s.gone = true
			return common.Asking(s, common.PopMsg{}), nil
		}
	case common.RefreshMsg:
		if s.gone {
			return s, nil
		}
		if s.tabs.Current == pipelineTabBuilds {
			// The timer reloads what is on show: the builds, one request.
			if msg.Auto {
				return s, s.loadBuilds(msg.Lane)
			}
			return s, tea.Batch(s.load(msg.Lane), s.loadBuilds(msg.Lane))
		}
		return s, s.load(msg.Lane)
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return common.Asking(s, common.PopMsg{}), nil
		case s.tabs.Current == pipelineTabBuilds:
			return s, nil
		case key.Matches(msg, k.Edit):
			return common.Answer(s, editPipeline(s.C, s.p))
		case key.Matches(msg, k.Archive):
			return common.Answer(s, archiveOrUnarchive(s.C, s.p))
		case key.Matches(msg, k.Delete):
			return common.Answer(s, confirmDeletePipeline(s.C, s.p))
		case key.Matches(msg, k.Webhook):
			return common.Answer(s, addWebhook(s.C, s.p))
		}
		if cmd, ok := s.C.LinkKey(msg, "pipeline", s.p.WebURL, s.p.ID); ok {
			return s, cmd
		}
		var cmd tea.Cmd
		s.view, cmd = s.view.Update(msg)
		return s, cmd
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		s.view, cmd = s.view.Update(msg)
		return s, cmd
	}
	return s, nil
}

func (s *pipelineScreen) content() string {
	st := s.C.Styles
	p := s.p
	field := func(label, value string) string { return st.Label.Render(label) + value }
	url := func(u string) string { return common.WrapAfter(component.Text(u), st.Label.GetWidth(), s.C.Width) }
	or := func(v string) string {
		if v == "" {
			return st.Muted.Render("—")
		}
		return v
	}
	title := component.Draw(st, present.As(present.Title, common.Emojize(p.Name)))
	if p.Archived() {
		title += "  " + st.Warning.Render("archived "+present.Ago(s.C.Now(), p.ArchivedAt.Time)+" (read-only)")
	}
	lines := []string{title}
	if d := component.Text(common.Emojize(model.Value(p.Description))); d != "" {
		lines = append(lines, d)
	}
	builds := fmt.Sprintf("%d running, %d scheduled builds · %d running, %d scheduled, %d waiting jobs",
		p.RunningBuildsCount, p.ScheduledBuildsCount, p.RunningJobsCount, p.ScheduledJobsCount, p.WaitingJobsCount)
	lines = append(lines, "", st.Bold.Render("General"),
		field("Slug", component.Text(p.Slug)),
		field("Repository", component.Text(p.Repository)),
		field("Cluster", or(s.C.ClusterName(model.Value(p.ClusterID)))),
		field("Default branch", or(component.Text(p.DefaultBranch))),
		field("Visibility", component.Text(p.Visibility)),
		field("Tags", or(component.Text(common.Emojize(strings.Join(p.Tags, ", "))))),
		field("Now", common.WrapAfter(builds, st.Label.GetWidth(), s.C.Width)),
		"", st.Bold.Render("Builds"),
		field("Branch filter", or(component.Text(model.Value(p.BranchConfiguration)))),
		field("Skip queued", onOff(p.SkipQueuedBranchBuilds, model.Value(p.SkipQueuedBranchBuildsFilter))),
		field("Cancel running", onOff(p.CancelRunningBranchBuilds, model.Value(p.CancelRunningBranchBuildsFilter))),
		field("Rebuilds", or(map[bool]string{true: "allowed", false: "not allowed"}[model.Value(p.AllowRebuilds)])),
		field("Template", or(component.Text(model.Value(p.PipelineTemplateUUID)))),
	)
	webhook := "W asks Buildkite to create it (GitHub only)"
	if u := p.Provider.WebhookURL; u != "" {
		// Anyone with the whole URL can start builds: show enough to
		// recognise it, never all of it.
		if i := strings.LastIndex(u, "/"); i >= 0 && len(u)-i > 6 {
			u = u[:i+5] + "…"
		}
		webhook = component.Text(u) + st.Muted.Render("  (a secret: shown in part)")
	}
	wide := st.Label.Width(st.Label.GetWidth() + 12) // the spec's setting names are long
	lines = append(lines, "", st.Bold.Render("Provider")+st.Muted.Render("  "+model.ProviderLabel(p.Provider.ID)),
		wide.Render("Webhook")+common.WrapAfter(webhook, wide.GetWidth(), s.C.Width))
	for _, kv := range providerSettings(p.Provider.ID, p.Provider.Settings) {
		lines = append(lines, wide.Render(kv[0])+kv[1])
	}
	lines = append(lines, "", st.Bold.Render("Teams"),
		st.Muted.Render("  Not listed by the REST API: teams are given when a pipeline is created,"),
		st.Muted.Render("  and changed with the GraphQL API or in Buildkite (o opens the pipeline)."))
	if len(p.Env) > 0 {
		lines = append(lines, "", st.Bold.Render("Environment"))
		keys := make([]string, 0, len(p.Env))
		for k := range p.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lines = append(lines, "  "+component.Text(k)+"="+component.Text(p.Env[k]))
		}
	}
	lines = append(lines, "", st.Bold.Render("Links"),
		field("Web", url(p.WebURL)), field("Badge", url(p.BadgeURL)), field("API", url(p.URL)),
		field("Created", or(component.Draw(st, present.TimeField(s.C.Now(), p.CreatedAt)))), field("Created by", or(component.Text(p.CreatedBy.DisplayName()))))
	if p.Configuration != "" {
		lines = append(lines, "", st.Bold.Render("Configuration")+st.Muted.Render("  (YAML; ↑/↓ scroll)"))
		for _, l := range strings.Split(p.Configuration, "\n") {
			lines = append(lines, "  "+cleanLine(l))
		}
	} else {
		lines = append(lines, "", st.Bold.Render("Steps")+st.Muted.Render("  (visual steps)"))
		for i, step := range p.Steps {
			lines = append(lines, fmt.Sprintf("  %d. %s", i+1, present.DescribeStep(step)))
		}
	}
	return strings.Join(lines, "\n")
}

// cleanLine is clean for one line of YAML: indentation is kept.
func cleanLine(s string) string {
	return component.Text(strings.ReplaceAll(s, "\t", "  "))
}

func onOff(on bool, filter string) string {
	if !on {
		return "off"
	}
	if filter == "" {
		return "on, every branch"
	}
	return "on, branches " + component.Text(filter)
}

// providerSettings lists every setting the spec gives a provider, by
// label, with "—" for one the API did not return.
func providerSettings(provider string, ps model.ProviderSettings) [][2]string {
	out := [][2]string{{"Repository", "—"}}
	if ps.Repository != nil {
		out[0][1] = component.Text(*ps.Repository)
	}
	settings := model.ProviderSettingsFor(provider)
	// What triggers builds comes first: it is what people look for.
	slices.SortStableFunc(settings, func(a, b model.ProviderSetting) int {
		first := func(s model.ProviderSetting) int {
			if s.Kind == model.SettingEnum {
				return 0
			}
			return 1
		}
		return cmp.Compare(first(a), first(b))
	})
	for _, setting := range settings {
		value := "—"
		switch v := ps.Setting(setting.Name).(type) {
		case *bool:
			if v != nil {
				value = present.YesNo(*v)
			}
		case *string:
			if v != nil && *v != "" {
				value = component.Text(*v)
			}
		}
		out = append(out, [2]string{setting.Label, value})
	}
	return out
}

func (s *pipelineScreen) tabLine() string {
	return s.tabs.View(func(i int, name string) string {
		if i == pipelineTabBuilds && s.builds.list.Known {
			return fmt.Sprintf("%s (%d)", name, len(s.builds.list.Items))
		}
		return name
	})
}

func (s *pipelineScreen) View() string {
	if s.tabs.Current == pipelineTabBuilds {
		st := s.C.Styles
		title, _, _ := strings.Cut(s.content(), "\n")
		lines := []string{s.tabLine() + "  " + title}
		if age, stale := s.builds.list.Stale(); stale {
			lines[0] += st.Warning.Render("  refresh failed; showing builds from " + age)
		}
		return common.Fit(lines[0], s.C.Width) + "\n" + s.builds.View(s.C.Width, s.C.Height-1)
	}
	s.view.SetWidth(s.C.Width)
	s.view.SetHeight(max(1, s.C.Height-1))
	title, _, _ := strings.Cut(s.content(), "\n")
	return common.Fit(s.tabLine()+"  "+title, s.C.Width) + "\n" + s.view.View()
}

func init() {
	Register(Registration[model.Pipeline]{Name: "pipeline", Place: 120,
		Open: func(c *common.Common, p model.Pipeline) common.Screen { return NewPipelineScreen(c, p) },
		Jumps: func(c *common.Common) []Jump[model.Pipeline] {
			out := make([]Jump[model.Pipeline], 0, len(c.Org.Pipelines.Items))
			for _, p := range c.Org.Pipelines.Items {
				out = append(out, Jump[model.Pipeline]{Label: common.Emojize(p.Name) + " (" + p.Slug + ")", Arg: p})
			}
			return out
		},
		// The breadcrumbs say where the pipeline is, not where one jumped
		// from: its cluster, or the pipelines of no cluster.
		Under: func(c *common.Common, p model.Pipeline) Step {
			if cl, ok := c.Org.Cluster(model.Value(p.ClusterID)); ok {
				return Step{Name: "cluster", Arg: ClusterArg{Cluster: cl}}
			}
			return Step{Name: "pipelines", Arg: NoArg{}}
		}})
	Register(Registration[model.Pipeline]{Name: "pipeline builds", Place: 120,
		Open: func(c *common.Common, p model.Pipeline) common.Screen { return NewPipelineBuildsScreen(c, p) }})
}
