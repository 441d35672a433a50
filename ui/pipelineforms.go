package ui

import (
	"context"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
)

// newPipelineForm creates a YAML pipeline (p nil), in clusterID when one
// is given, or edits one: an edit sends only what changed.
func newPipelineForm(c *Common, p *model.Pipeline, clusterID string) formSpec {
	v := struct {
		name, clusterID, repository, branch, description, configuration, visibility, tags string
	}{clusterID: clusterID, branch: "main", configuration: model.DefaultConfiguration, visibility: model.VisibilityPrivate}
	if p != nil {
		v.name, v.repository, v.branch = p.Name, p.Repository, p.DefaultBranch
		v.description, v.configuration, v.visibility = model.Value(p.Description), p.Configuration, p.Visibility
		v.tags = strings.Join(p.Tags, " ")
		v.clusterID = model.Value(p.ClusterID)
	}
	title, action := "New pipeline", "creating pipelines"
	if p != nil {
		title, action = "Edit "+clean(p.Name), "editing pipelines"
	}
	slugPreview := func() string {
		if p != nil {
			return "slug " + clean(p.Slug) + " (a slug never changes)"
		}
		slug, err := model.DeriveSlug(v.name)
		if err != nil {
			return "slug: —"
		}
		return "slug: " + slug
	}
	build := func() *huh.Form {
		clusters := []huh.Option[string]{}
		for _, cl := range c.clusters {
			clusters = append(clusters, huh.NewOption(clean(emojize(cl.Name)), cl.ID))
		}
		nameField := huh.NewInput().Title("Name").Value(&v.name).
			Validate(model.ValidatePipelineName)
		fields := []huh.Field{nameField}
		if len(clusters) > 0 {
			fields = append(fields, huh.NewSelect[string]().Title("Cluster").Options(clusters...).Value(&v.clusterID))
		}
		fields = append(fields,
			huh.NewInput().Title("Repository").Description("e.g. git@github.com:acme-inc/app.git").Value(&v.repository).
				Validate(func(s string) error { return model.ValidateText("repository", s, true) }),
			huh.NewInput().Title("Default branch").Value(&v.branch).
				Validate(func(s string) error { return model.ValidateText("default branch", s, false) }),
			huh.NewInput().Title("Description").Value(&v.description).
				Validate(func(s string) error { return model.ValidateText("description", s, false) }),
		)
		return huh.NewForm(
			huh.NewGroup(fields...),
			huh.NewGroup(
				huh.NewText().Title("Configuration").Description("the pipeline's YAML steps").Lines(8).Value(&v.configuration).
					CharLimit(64*1024).Validate(func(s string) error {
					return model.ValidateText("configuration", strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "\t", " "), true)
				}),
				huh.NewSelect[string]().Title("Visibility").Options(
					huh.NewOption("private: members of the organisation", model.VisibilityPrivate),
					huh.NewOption("public: anyone with the link", model.VisibilityPublic),
				).Value(&v.visibility),
				huh.NewInput().Title("Tags").Description("space-separated; emoji such as :terraform: are fine").Value(&v.tags),
			),
		)
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		tags := strings.Fields(v.tags)
		if p == nil {
			made, err := c.Client.CreatePipeline(ctx, model.PipelineCreate{Name: v.name, ClusterID: v.clusterID, Repository: v.repository,
				Configuration: v.configuration, DefaultBranch: v.branch, Description: v.description, Visibility: v.visibility, Tags: tags})
			if err != nil {
				return nil, err
			}
			return tea.Batch(send(pipelineChanged{Pipeline: made}), flash(flashOK, "created pipeline "+clean(made.Name)+" ("+clean(made.Slug)+")")), nil
		}
		var up model.PipelineUpdate
		changed := false
		str := func(f *model.Field[string], now, was string) {
			if now != was {
				*f, changed = model.Set(now), true
			}
		}
		str(&up.Name, v.name, p.Name)
		str(&up.Repository, v.repository, p.Repository)
		str(&up.DefaultBranch, v.branch, p.DefaultBranch)
		str(&up.Description, v.description, model.Value(p.Description))
		str(&up.Configuration, v.configuration, p.Configuration)
		str(&up.Visibility, v.visibility, p.Visibility)
		str(&up.ClusterID, v.clusterID, model.Value(p.ClusterID))
		if !slices.Equal(tags, p.Tags) && !(len(tags) == 0 && len(p.Tags) == 0) {
			up.Tags, changed = model.Set(tags), true
		}
		if !changed {
			return flash(flashInfo, "nothing changed"), nil
		}
		made, err := c.Client.UpdatePipeline(ctx, p.Slug, up)
		if err != nil {
			return nil, err
		}
		return tea.Batch(send(pipelineChanged{Pipeline: made}), flash(flashOK, "updated pipeline "+clean(made.Name))), nil
	}
	spec := formSpec{title: title, action: action, build: build, submit: submit, preview: slugPreview, audit: "pipeline.create"}
	if p != nil {
		spec.audit, spec.target = "pipeline.update", audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}
	}
	return spec
}
