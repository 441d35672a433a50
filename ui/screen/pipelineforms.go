package screen

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"go.yaml.in/yaml/v3"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// Sections of the pipeline form: an edit asks which to change, so that
// changing one GitHub setting is a few keys, not forty.
const (
	sectionGeneral  = "general"
	sectionSteps    = "steps"
	sectionBuilds   = "builds"
	sectionProvider = "provider"
)

// pipelineValues are a pipeline form's values. They live outside the huh
// form, so a rebuild (after a 422) keeps every one.
type pipelineValues struct {
	name, clusterID, repository, branch, description, visibility, tags, teams string
	// slug is the slug asked for; empty lets the API derive it from the
	// name (on an edit: keep it, or follow a new name).
	slug string
	// teamIDs are the teams picked by name, given teamAccess.
	teamIDs                                               []string
	teamAccess                                            string
	visual                                                bool
	configuration, steps                                  string
	branchFilter, skipFilter, cancelFilter, env, template string
	skipQueued, cancelRunning                             bool
	bools                                                 map[string]*bool
	texts                                                 map[string]*string
	sections                                              []string
}

func (v *pipelineValues) shows(section string) bool {
	return slices.Contains(v.sections, section)
}

// provider is the provider the repository as typed belongs to.
func (v *pipelineValues) provider() string {
	id, _ := model.ProviderForRepository(v.repository)
	return id
}

// loadSettings fills the provider settings' values from ps.
func (v *pipelineValues) loadSettings(ps model.ProviderSettings) {
	v.bools, v.texts = map[string]*bool{}, map[string]*string{}
	for _, s := range model.ProviderSettingsCatalogue {
		switch x := ps.Setting(s.Name).(type) {
		case *bool:
			v.bools[s.Name] = model.Ptr(model.Value(x))
		case *string:
			v.texts[s.Name] = model.Ptr(model.Value(x))
		}
	}
}

// settingsChange is the provider_settings a request sends: the settings
// of provider whose value differs from was's. An emptied text is null.
func (v *pipelineValues) settingsChange(provider string, was model.ProviderSettings) (model.ProviderSettingsChange, []change) {
	out := model.ProviderSettingsChange{}
	var changes []change
	for _, s := range model.ProviderSettingsFor(provider) {
		switch old := was.Setting(s.Name).(type) {
		case *bool:
			if now := *v.bools[s.Name]; now != model.Value(old) {
				out[s.Name] = now
				changes = append(changes, change{s.Label, present.YesNo(model.Value(old)), present.YesNo(now)})
			}
		case *string:
			now := strings.TrimSpace(*v.texts[s.Name])
			if now == model.Value(old) {
				continue
			}
			if now == "" {
				out[s.Name] = nil
			} else {
				out[s.Name] = now
			}
			changes = append(changes, change{s.Label, model.Value(old), now})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, changes
}

// change is one line of the review shown before an edit is sent.
type change struct{ label, old, new string }

func (c change) String() string {
	show := func(s string) string {
		if s == "" {
			return "—"
		}
		return truncate(strings.ReplaceAll(s, "\n", "⏎"), 50)
	}
	return fmt.Sprintf("%s: %s → %s", c.label, show(c.old), show(c.new))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// update works out what an edit sends: only what changed, with nulls for
// what was emptied where the spec allows null.
func (v *pipelineValues) update(c *common.Common, p *model.Pipeline) (model.PipelineUpdate, []change) {
	var up model.PipelineUpdate
	var changes []change
	str := func(label string, f *model.Field[string], now, was string) {
		if now = strings.TrimSpace(now); now != was {
			*f = model.Set(now)
			changes = append(changes, change{label, was, now})
		}
	}
	nullable := func(label string, f *model.Field[string], now string, was *string) {
		now = strings.TrimSpace(now)
		if now == model.Value(was) {
			return
		}
		if now == "" {
			*f = model.Null[string]()
		} else {
			*f = model.Set(now)
		}
		changes = append(changes, change{label, model.Value(was), now})
	}
	boolean := func(label string, f *model.Field[bool], now, was bool) {
		if now != was {
			*f = model.Set(now)
			changes = append(changes, change{label, present.YesNo(was), present.YesNo(now)})
		}
	}
	str("Name", &up.Name, v.name, p.Name)
	// A slug is sent only when one is typed, and only when it changes
	// something: the same slug with a new name keeps it from following.
	if slug := strings.TrimSpace(v.slug); slug != "" && (slug != p.Slug || up.Name.IsSet()) {
		up.Slug = model.Set(slug)
	}
	if slug, err := model.RenamedSlug(*p, up); err == nil && slug != p.Slug {
		// Said in the review, sent or derived: links and the CLI name the
		// pipeline by it.
		changes = append(changes, change{"Slug", p.Slug, slug})
	}
	str("Repository", &up.Repository, v.repository, p.Repository)
	str("Default branch", &up.DefaultBranch, v.branch, p.DefaultBranch)
	nullable("Description", &up.Description, v.description, p.Description)
	str("Visibility", &up.Visibility, v.visibility, p.Visibility)
	if v.clusterID != model.Value(p.ClusterID) {
		if v.clusterID == "" {
			up.ClusterID = model.Null[string]()
		} else {
			up.ClusterID = model.Set(v.clusterID)
		}
		changes = append(changes, change{"Cluster", c.ClusterName(model.Value(p.ClusterID)), c.ClusterName(v.clusterID)})
	}
	if tags := strings.Fields(v.tags); !slices.Equal(tags, p.Tags) && !(len(tags) == 0 && len(p.Tags) == 0) {
		up.Tags = model.Set(tags)
		changes = append(changes, change{"Tags", strings.Join(p.Tags, " "), strings.Join(tags, " ")})
	}
	if v.configuration != p.Configuration && !(p.Configuration == "" && strings.TrimSpace(v.configuration) == "") {
		up.Configuration = model.Set(v.configuration)
		changes = append(changes, change{"Configuration", p.Configuration, v.configuration})
	}
	nullable("Branch filter", &up.BranchConfiguration, v.branchFilter, p.BranchConfiguration)
	boolean("Skip queued builds", &up.SkipQueuedBranchBuilds, v.skipQueued, p.SkipQueuedBranchBuilds)
	nullable("Skip queued: branches", &up.SkipQueuedBranchBuildsFilter, v.skipFilter, p.SkipQueuedBranchBuildsFilter)
	boolean("Cancel running builds", &up.CancelRunningBranchBuilds, v.cancelRunning, p.CancelRunningBranchBuilds)
	nullable("Cancel running: branches", &up.CancelRunningBranchBuildsFilter, v.cancelFilter, p.CancelRunningBranchBuildsFilter)
	nullable("Template", &up.PipelineTemplateUUID, v.template, p.PipelineTemplateUUID)
	if env, err := model.ParseEnv(v.env); err == nil && !maps.Equal(env, p.Env) && !(len(env) == 0 && len(p.Env) == 0) {
		up.Env = model.Set(env)
		changes = append(changes, change{"Environment", model.FormatEnv(p.Env), model.FormatEnv(env)})
	}
	provider := p.Provider.ID
	if v.repository != p.Repository {
		provider = v.provider()
	}
	settings, settingChanges := v.settingsChange(provider, p.Provider.Settings)
	up.ProviderSettings = settings
	changes = append(changes, settingChanges...)
	return up, changes
}

// create works out a create request from the values.
func (v *pipelineValues) create() model.PipelineCreate {
	in := model.PipelineCreate{Name: v.name, Slug: strings.TrimSpace(v.slug), ClusterID: v.clusterID, Repository: strings.TrimSpace(v.repository),
		DefaultBranch: strings.TrimSpace(v.branch), Description: strings.TrimSpace(v.description), Visibility: v.visibility,
		Tags: strings.Fields(v.tags)}
	in.Teams, _ = model.ParseTeams(v.teams)
	for _, id := range v.teamIDs {
		if in.Teams == nil {
			in.Teams = map[string]string{}
		}
		if _, typed := in.Teams[id]; !typed {
			in.Teams[id] = v.teamAccess
		}
	}
	if v.visual {
		in.Steps, _ = model.ParseVisualSteps(v.steps)
	} else {
		in.Configuration = v.configuration
	}
	if v.shows(sectionBuilds) {
		in.BranchConfiguration = strings.TrimSpace(v.branchFilter)
		in.SkipQueuedBranchBuilds, in.SkipQueuedBranchBuildsFilter = v.skipQueued, strings.TrimSpace(v.skipFilter)
		in.CancelRunningBranchBuilds, in.CancelRunningBranchBuildsFilter = v.cancelRunning, strings.TrimSpace(v.cancelFilter)
		in.PipelineTemplateUUID = strings.TrimSpace(v.template)
		in.Env, _ = model.ParseEnv(v.env)
		if len(in.Env) == 0 {
			in.Env = nil
		}
	}
	if v.shows(sectionProvider) {
		provider := v.provider()
		in.ProviderSettings, _ = v.settingsChange(provider, model.DefaultProviderSettings(provider, ""))
	}
	return in
}

// newPipelineForm creates a pipeline (p nil), in clusterID when one is
// given, or edits one: an edit asks which sections to change, shows what
// will change, and sends only that.
func newPipelineForm(c *common.Common, p *model.Pipeline, clusterID string) component.FormSpec {
	v := &pipelineValues{clusterID: clusterID, branch: "main", configuration: model.DefaultConfiguration, teamAccess: model.TeamAccessManage,
		visibility: model.VisibilityPrivate, steps: "Build | make build\nwait\nblock: Release?\nRelease | make release"}
	v.loadSettings(model.DefaultProviderSettings(model.ProviderGitHub, ""))
	if p != nil {
		v.name, v.repository, v.branch = p.Name, p.Repository, p.DefaultBranch
		v.description, v.configuration, v.visibility = model.Value(p.Description), p.Configuration, p.Visibility
		v.tags = strings.Join(p.Tags, " ")
		v.clusterID = model.Value(p.ClusterID)
		v.branchFilter, v.skipQueued, v.skipFilter = model.Value(p.BranchConfiguration), p.SkipQueuedBranchBuilds, model.Value(p.SkipQueuedBranchBuildsFilter)
		v.cancelRunning, v.cancelFilter = p.CancelRunningBranchBuilds, model.Value(p.CancelRunningBranchBuildsFilter)
		v.template, v.env = model.Value(p.PipelineTemplateUUID), model.FormatEnv(p.Env)
		v.loadSettings(p.Provider.Settings)
	}
	title, action := "New pipeline", "creating pipelines"
	if p != nil {
		title, action = "Edit "+component.Text(p.Name), "editing pipelines"
	}
	// The slug follows a new name unless one is given (pipelines.md): the
	// form says the slug the pipeline will have.
	slugPreview := func() string {
		if p != nil {
			provider := " · " + model.ProviderLabel(p.Provider.ID)
			up, _ := v.update(c, p)
			slug, err := model.RenamedSlug(*p, up)
			switch {
			case err != nil:
				return "slug: —" + provider
			case slug != p.Slug:
				follows := ""
				if strings.TrimSpace(v.slug) == "" {
					follows = " (it follows the name)"
				}
				return "slug " + component.Text(p.Slug) + " → " + component.Text(slug) + follows + provider
			}
			return "slug " + component.Text(p.Slug) + provider
		}
		provider := ""
		if strings.TrimSpace(v.repository) != "" {
			provider = " · " + model.ProviderLabel(v.provider())
		}
		slug, err := model.PipelineSlug(v.name, strings.TrimSpace(v.slug))
		if err != nil {
			return "slug: —" + provider
		}
		return "slug: " + slug + provider
	}
	teams := &teamChoices{c: c}
	build := func() *huh.Form {
		var groups []*huh.Group
		// huh's multi-select panics on a toggle when its filter matches
		// nothing (found by the monkey): its filter is off.
		if p != nil {
			sections := component.MultiSelectField[string]()
			// enter with nothing chosen goes on with the highlighted
			// section, as a person means it; it closed the form with
			// "nothing changed". huh sets the value (and validates it)
			// on every change and on leaving the field.
			sections.Validate(func(chosen []string) error {
				if len(chosen) == 0 {
					if hovered, ok := sections.Hovered(); ok {
						v.sections = []string{hovered}
					}
				}
				return nil
			})
			groups = append(groups, huh.NewGroup(
				sections.Filterable(false).Title("What do you want to change?").
					Description("x chooses; enter goes on (with the highlighted one if none is chosen)").
					Options(
						huh.NewOption("General (name, cluster, repository, branch, tags…)", sectionGeneral),
						huh.NewOption("Steps (the YAML configuration)", sectionSteps),
						huh.NewOption("Builds (branch filter, skip, cancel, env, template)", sectionBuilds),
						huh.NewOption("Provider ("+model.ProviderLabel(p.Provider.ID)+" triggers, statuses, filters)", sectionProvider),
					).Value(&v.sections).
					// huh takes the title and description off a height it
					// derives from the options alone: say it whole.
					Height(4+3),
			))
		}
		groups = append(groups, pipelineGeneral(c, v, p, teams))
		groups = append(groups, pipelineSteps(v, p)...)
		if p == nil {
			groups = append(groups, huh.NewGroup(
				component.MultiSelectField[string]().Filterable(false).Title("Also set now?").
					Description("optional: x chooses, enter creates (or goes on to what you chose)").
					Options(
						huh.NewOption("Builds (branch filter, skip, cancel, env, template)", sectionBuilds),
						huh.NewOption("Provider (triggers, commit statuses, filters)", sectionProvider),
					).Value(&v.sections).Height(2+3),
			))
		}
		groups = append(groups, pipelineBuilds(v))
		groups = append(groups, pipelineProvider(v)...)
		return huh.NewForm(groups...)
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		if p == nil {
			return actions.CreatePipeline(ctx, c, v.create())
		}
		up, changes := v.update(c, p)
		if len(changes) == 0 {
			return common.Flash(common.FlashInfo, "nothing changed"), nil
		}
		return actions.UpdatePipeline(ctx, c, p.Slug, up)
	}
	spec := component.FormSpec{Title: title, Action: action, Build: build, Submit: submit, Preview: slugPreview, Audit: "pipeline.create",
		Fields: []string{"name", "slug", "repository", "configuration", "steps"}}
	if p != nil {
		spec.Audit, spec.Target = "pipeline.update", audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}
		spec.Review = func() []string {
			_, changes := v.update(c, p)
			lines := make([]string, len(changes))
			for i, ch := range changes {
				lines[i] = ch.String()
			}
			return lines
		}
	}
	return spec
}

// teamChoices are the organisation's teams, listed once per form when
// its team picker first asks (off the event loop: huh runs an options
// function as a command).
type teamChoices struct {
	c     *common.Common
	once  sync.Once
	mu    sync.Mutex
	teams []model.Team
	err   error
}

func (t *teamChoices) load() ([]model.Team, error) {
	t.once.Do(func() {
		ctx := org.Interactive.Context(t.c.AppCtx)
		teams, err := t.c.Client.ListTeams(ctx)
		t.mu.Lock()
		t.teams, t.err = teams, err
		t.mu.Unlock()
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.teams, t.err
}

func (t *teamChoices) options() []huh.Option[string] {
	teams, _ := t.load()
	out := make([]huh.Option[string], 0, len(teams))
	for _, team := range teams {
		label := component.Text(team.Name)
		if d := component.Text(team.Description); d != "" {
			label += " — " + truncate(d, 50)
		}
		out = append(out, huh.NewOption(label, team.ID))
	}
	return out
}

func (t *teamChoices) description() string {
	teams, err := t.load()
	switch {
	case err != nil:
		return "could not list the teams (" + common.ErrorText(err) + "); teams can still be given by UUID below"
	case len(teams) == 0:
		return "the organisation has no teams"
	}
	return "optional: x chooses; needed when your organisation has Teams and you are not an admin"
}

func pipelineGeneral(c *common.Common, v *pipelineValues, p *model.Pipeline, teams *teamChoices) *huh.Group {
	var clusters []huh.Option[string]
	for _, cl := range c.Org.Clusters() {
		clusters = append(clusters, huh.NewOption(component.Text(common.Emojize(cl.Name)), cl.ID))
	}
	slugHelp := "optional: empty takes it from the name"
	if p != nil {
		slugHelp = "optional: empty keeps " + component.Text(p.Slug) + ", or takes it from a new name"
	}
	fields := []huh.Field{
		component.InputField().Title("Name").Key("name").Value(&v.name).Validate(model.ValidatePipelineName),
		component.InputField().Title("Slug").Key("slug").Description(slugHelp).Value(&v.slug).Validate(func(s string) error {
			if s = strings.TrimSpace(s); s == "" {
				return nil
			}
			return model.ValidateSlug(s)
		}),
	}
	if len(clusters) > 0 {
		if p != nil {
			clusters = append(clusters, huh.NewOption("(no cluster: remove the pipeline from its cluster)", ""))
		}
		fields = append(fields, component.SelectField[string]().Title("Cluster").Description("the cluster the pipeline runs in").Options(clusters...).Value(&v.clusterID))
	}
	fields = append(fields,
		component.InputField().Title("Repository").Key("repository").Description("the repository URL, e.g. git@github.com:acme-inc/app.git").Value(&v.repository).
			Validate(func(s string) error { return model.ValidateText("repository", s, true) }),
		component.InputField().Title("Default branch").Description("prefilled when new builds are created; filters the Pipelines page").Value(&v.branch).
			Validate(func(s string) error { return model.ValidateText("default branch", s, false) }),
		component.InputField().Title("Description").Value(&v.description).
			Validate(func(s string) error { return model.ValidateText("description", s, false) }),
		component.SelectField[string]().Title("Visibility").Options(
			huh.NewOption("private: members of the organisation", model.VisibilityPrivate),
			huh.NewOption("public: anyone with the link", model.VisibilityPublic),
		).Value(&v.visibility),
		component.InputField().Title("Tags").Description("space-separated; emoji such as :terraform: are fine").Value(&v.tags),
	)
	if p == nil {
		// Teams by name: the pipelines API takes their UUIDs, which the
		// console never showed. huh's filter is off (see the sections).
		fields = append(fields,
			component.MultiSelectField[string]().Filterable(false).Title("Teams").
				DescriptionFunc(teams.description, nil).OptionsFunc(teams.options, nil).Height(6).Value(&v.teamIDs),
			component.SelectField[string]().Title("Access of the chosen teams").Options(
				huh.NewOption("Full access: build, read and manage the pipeline", model.TeamAccessManage),
				huh.NewOption("Build and read", model.TeamAccessBuild),
				huh.NewOption("Read only", model.TeamAccessRead),
			).Value(&v.teamAccess),
			component.TextField().Title("Teams by UUID").Lines(2).
				Description("optional, for teams not listed above: one team UUID and access level a line (read_only, build_and_read, manage_build_and_read)").
				Value(&v.teams).Validate(func(s string) error { _, err := model.ParseTeams(s); return err }))
	}
	return huh.NewGroup(fields...).Title("General").WithHideFunc(func() bool { return p != nil && !v.shows(sectionGeneral) })
}

func pipelineSteps(v *pipelineValues, p *model.Pipeline) []*huh.Group {
	yaml := component.TextField().Title("Configuration").Description("the pipeline's YAML steps").Lines(8).Value(&v.configuration).
		CharLimit(64 * 1024).Validate(func(s string) error {
		if p != nil && p.Configuration == "" && strings.TrimSpace(s) == "" {
			return nil // a visual-step pipeline left as it is
		}
		if err := model.ValidateText("configuration", strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "\t", " "), true); err != nil {
			return err
		}
		return CheckPipelineYAML(s)
	}).Key("configuration")
	if p == nil {
		return []*huh.Group{
			huh.NewGroup(component.SelectField[bool]().Title("Steps").Options(
				huh.NewOption("YAML configuration (recommended)", false),
				huh.NewOption("Visual steps: script, wait and block steps", true),
			).Value(&v.visual)).Title("Steps"),
			huh.NewGroup(yaml).WithHideFunc(func() bool { return v.visual }),
			huh.NewGroup(component.TextField().Title("Visual steps").Lines(6).CharLimit(64 * 1024).
				Description("one step a line: \"Name | command\" runs a script, \"wait\" waits for the steps before, \"block: Label\" blocks until unblocked").
				Value(&v.steps).Key("steps").Validate(func(s string) error { _, err := model.ParseVisualSteps(s); return err })).
				WithHideFunc(func() bool { return !v.visual }),
		}
	}
	if p.Configuration == "" {
		// The update endpoint takes configuration only: visual steps can be
		// replaced by YAML, not edited as steps.
		lines := make([]string, len(p.Steps))
		for i, st := range p.Steps {
			lines[i] = fmt.Sprintf("%d. %s", i+1, present.DescribeStep(st))
		}
		return []*huh.Group{huh.NewGroup(
			component.NoteField().Title("Visual steps").Description(strings.Join(lines, "\n")+
				"\n\nThe REST API cannot edit visual steps one by one: YAML written below replaces them all (leave it empty to keep them)."),
			yaml,
		).WithHideFunc(func() bool { return !v.shows(sectionSteps) })}
	}
	return []*huh.Group{huh.NewGroup(yaml).WithHideFunc(func() bool { return !v.shows(sectionSteps) })}
}

func pipelineBuilds(v *pipelineValues) *huh.Group {
	optionalText := func(what string) func(string) error {
		return func(s string) error { return model.ValidateText(what, s, false) }
	}
	return huh.NewGroup(
		component.InputField().Title("Branch filter").Description("a branch filter pattern limiting which pushed branches build, e.g. main feature/*; empty builds every branch").
			Value(&v.branchFilter).Validate(optionalText("branch filter")),
		component.ConfirmField().Title("Skip intermediate builds").Description("when a new build is created on a branch, builds not yet started on it are skipped").
			Affirmative("Yes").Negative("No").Value(&v.skipQueued),
		component.InputField().Title("Skip: only these branches").Description("a branch filter for skipping, e.g. !main; empty applies to every branch").
			Value(&v.skipFilter).Validate(optionalText("skip filter")),
		component.ConfirmField().Title("Cancel intermediate builds").Description("when a new build is created on a branch, running builds on it are canceled").
			Affirmative("Yes").Negative("No").Value(&v.cancelRunning),
		component.InputField().Title("Cancel: only these branches").Description("a branch filter for canceling, e.g. develop prs/*; empty applies to every branch").
			Value(&v.cancelFilter).Validate(optionalText("cancel filter")),
		component.TextField().Title("Environment").Description("KEY=value, one a line").Lines(3).Value(&v.env).
			Validate(func(s string) error { _, err := model.ParseEnv(s); return err }),
		component.InputField().Title("Pipeline template").Description("the UUID of the template the pipeline runs with; empty removes it").
			Value(&v.template).Validate(func(s string) error { return model.ValidateUUID("the template", s) }),
	).Title("Builds").WithHideFunc(func() bool { return !v.shows(sectionBuilds) })
}

// pipelineProvider is one group per provider tier of the spec; a group
// shows only when the repository's provider has its settings.
func pipelineProvider(v *pipelineValues) []*huh.Group {
	tiers := [][]string{
		{"filter_enabled", "filter_condition"},
		{"build_branches", "build_pull_requests", "build_tags"},
		{"cancel_deleted_branch_builds", "publish_commit_status", "publish_commit_status_per_step", "pull_request_branch_filter_enabled",
			"pull_request_branch_filter_configuration", "skip_builds_for_existing_commits", "skip_pull_request_builds_for_existing_commits"},
		{"trigger_mode", "build_pull_request_forks", "build_pull_request_labels_changed", "build_pull_request_ready_for_review",
			"prefix_pull_request_fork_branch_names", "publish_blocked_as_pending", "separate_pull_request_statuses"},
	}
	var groups []*huh.Group
	for _, names := range tiers {
		var fields []huh.Field
		for _, name := range names {
			fields = append(fields, settingField(v, name))
		}
		first := names[0]
		groups = append(groups, huh.NewGroup(fields...).
			Title("Provider settings").
			WithHideFunc(func() bool { return !v.shows(sectionProvider) || !model.ProviderHasSetting(v.provider(), first) }))
	}
	return groups
}

func settingField(v *pipelineValues, name string) huh.Field {
	s, _ := model.ProviderSettingNamed(name)
	switch s.Kind {
	case model.SettingEnum:
		help := map[string]string{"code": "code: builds when code is pushed", "deployment": "deployment: builds when a GitHub deployment is created",
			"fork": "fork: builds when the repository is forked", "none": "none: no builds from GitHub activity"}
		var opts []huh.Option[string]
		for _, value := range s.Values {
			opts = append(opts, huh.NewOption(help[value], value))
		}
		return component.SelectField[string]().Title(s.Label).Description(s.Help).Options(opts...).Value(v.texts[name])
	case model.SettingText:
		return component.InputField().Title(s.Label).Description(s.Help).Value(v.texts[name]).
			Validate(func(x string) error { return model.ValidateText(strings.ToLower(s.Label), x, false) })
	}
	return component.ConfirmField().Title(s.Label).Description(s.Help).Affirmative("Yes").Negative("No").Value(v.bools[name])
}

// CheckPipelineYAML reads a pipeline's YAML before it is sent, as
// Buildkite will: it must parse, and hold its steps (a mapping with a
// steps: list, or a list of steps). The error says the line, so a typo is
// found here rather than as the server's "Configuration is not valid".
func CheckPipelineYAML(s string) error {
	var doc any
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.Join(strings.Fields(strings.TrimPrefix(msg, "unmarshal errors:")), " ")
		return errors.New("the YAML does not parse: " + msg)
	}
	switch d := doc.(type) {
	case map[string]any:
		steps, ok := d["steps"]
		if !ok {
			return errors.New("the YAML has no steps: key")
		}
		if _, ok := steps.([]any); !ok {
			return errors.New("steps: must be a list of steps")
		}
	case []any:
	default:
		return errors.New("the YAML must be a mapping with a steps: key")
	}
	return nil
}
