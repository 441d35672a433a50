package sandbox

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

func (s *Server) renderPipeline(r *http.Request, u urls, p model.Pipeline) wirePipeline {
	p = u.pipeline(p)
	// The spec: webhook_url is empty unless the token has the
	// write_pipelines scope.
	if !grantOf(r).has(scopeWritePipelines) {
		p.Provider.WebhookURL = ""
	} else {
		p.Provider.WebhookURL = u.base + "/deliver/" + strings.ReplaceAll(p.ID, "-", "")
	}
	return toWire(p)
}

func (s *Server) listPipelines(w http.ResponseWriter, r *http.Request, u urls) reply {
	matches := filterPipelines(s.org.pipelines, r.URL.Query().Get("name"), r.URL.Query().Get("repository"))
	return pageOf(w, r, matches, func(p *model.Pipeline) wirePipeline { return s.renderPipeline(r, u, *p) })
}

// filterPipelines keeps the pipelines whose name and repository contain
// the given text, as the list's name and repository parameters do: partial
// and case-insensitive. Empty text filters nothing; with neither, the list
// is returned as it is.
func filterPipelines(all []*model.Pipeline, name, repository string) []*model.Pipeline {
	if name == "" && repository == "" {
		return all
	}
	name, repository = strings.ToLower(name), strings.ToLower(repository)
	var out []*model.Pipeline
	for _, p := range all {
		if name != "" && !strings.Contains(strings.ToLower(p.Name), name) {
			continue
		}
		if repository != "" && !strings.Contains(strings.ToLower(p.Repository), repository) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (s *Server) getPipeline(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	return ok(s.renderPipeline(r, u, *p))
}

func blank(field string) fieldError {
	name := strings.ToUpper(field[:1]) + strings.ReplaceAll(field[1:], "_", " ")
	return fieldError{Field: field, Code: "missing_field", Message: name + " can't be blank"}
}

func invalidField(field, msg string) fieldError {
	return fieldError{Field: field, Code: "invalid", Message: msg}
}

// nameTaken reports whether a pipeline other than except has the name or
// would have the slug.
func (s *Server) nameTaken(name, slug string, except *model.Pipeline) bool {
	if p := s.org.pipelineBySlug[slug]; p != nil && p != except {
		return true
	}
	for _, p := range s.org.pipelines {
		if p != except && strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

// normalizeSteps checks visual steps and writes trigger steps the way the
// API returns them.
func normalizeSteps(in []model.Step) ([]model.Step, *fieldError) {
	out := make([]model.Step, 0, len(in))
	for i, st := range in {
		switch st.Type {
		case model.StepScript:
			if model.Value(st.Command) == "" {
				e := invalidField("steps", fmt.Sprintf("Step %d: a script step needs a command", i+1))
				return nil, &e
			}
		case model.StepWaiter, model.StepManual:
		case model.StepTrigger:
			if st.Pipeline == nil {
				st.Pipeline = st.TriggerProjectSlug
			}
			if model.Value(st.Pipeline) == "" {
				e := invalidField("steps", fmt.Sprintf("Step %d: a trigger step needs trigger_project_slug", i+1))
				return nil, &e
			}
			if st.Build == nil {
				st.Build = &model.TriggerBuild{Branch: st.TriggerBranch, Commit: st.TriggerCommit}
			}
			if st.Async == nil {
				st.Async = model.Ptr(model.Value(st.TriggerAsync))
			}
			st.TriggerProjectSlug, st.TriggerBranch, st.TriggerCommit, st.TriggerAsync = nil, nil, nil, nil
		default:
			e := invalidField("steps", fmt.Sprintf("Step %d: type must be script, waiter, manual or trigger", i+1))
			return nil, &e
		}
		out = append(out, st)
	}
	return out, nil
}

func validVisibility(v string) bool {
	return v == model.VisibilityPrivate || v == model.VisibilityPublic
}

func (s *Server) createPipeline(w http.ResponseWriter, r *http.Request, u urls) reply {
	var req model.PipelineCreate
	body, rp := decodeBody(r, &req)
	if rp != nil {
		return *rp
	}
	var errs []fieldError
	provider := providerFor(req.Repository)
	rawSettings, ferr := rawProviderSettings(body)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	errs = append(errs, checkProviderSettings(provider.ID, rawSettings)...)
	slug := ""
	if strings.TrimSpace(req.Name) == "" {
		errs = append(errs, blank("name"))
	} else if err := model.ValidatePipelineName(req.Name); err != nil {
		errs = append(errs, invalidField("name", sentence(err)))
	} else if req.Slug != "" {
		// pipelines.md: a slug given is used instead of the name's.
		if err := model.ValidateSlug(req.Slug); err != nil {
			errs = append(errs, invalidField("slug", "Slug "+strings.TrimPrefix(err.Error(), "a slug ")))
		} else if p := s.org.pipelineBySlug[req.Slug]; p != nil {
			errs = append(errs, fieldError{Field: "slug", Code: "already_exists", Message: "Slug has already been taken"})
		}
		slug = req.Slug
		if s.nameTaken(req.Name, "", nil) {
			errs = append(errs, fieldError{Field: "name", Code: "already_exists", Message: "Name has already been taken"})
		}
	} else {
		slug, _ = model.DeriveSlug(req.Name)
		if s.nameTaken(req.Name, slug, nil) {
			errs = append(errs, fieldError{Field: "name", Code: "already_exists", Message: "Name has already been taken"})
		}
	}
	if strings.TrimSpace(req.Repository) == "" {
		errs = append(errs, blank("repository"))
	}
	if req.ClusterID == "" {
		errs = append(errs, blank("cluster_id"))
	} else if s.org.clusterByID[req.ClusterID] == nil {
		errs = append(errs, invalidField("cluster_id", "Cluster could not be found"))
	}
	if req.Visibility != "" && !validVisibility(req.Visibility) {
		errs = append(errs, invalidField("visibility", "Visibility must be private or public"))
	}
	for _, problem := range model.CheckTeams(req.Teams) {
		errs = append(errs, invalidField("teams", problem))
	}
	var steps []model.Step
	env := map[string]string{}
	switch {
	case req.Configuration != "":
		st, e, err := stepsFromYAML(req.Configuration)
		if err != nil {
			errs = append(errs, invalidField("configuration", "Configuration "+err.Error()))
		}
		steps, env = st, e
	case len(req.Steps) > 0:
		st, ferr := normalizeSteps(req.Steps)
		if ferr != nil {
			errs = append(errs, *ferr)
		}
		steps = st
	default:
		errs = append(errs, blank("configuration"))
	}
	if len(errs) > 0 {
		return validationFailed(errs...)
	}
	maps.Copy(env, req.Env)
	id := s.newID()
	provider.Settings = overlaySettings(provider.Settings, rawSettings)
	p := &model.Pipeline{
		ID:                              id,
		GraphQLID:                       graphQLID("Pipeline", id),
		Name:                            req.Name,
		Description:                     optional(req.Description),
		Slug:                            slug,
		Repository:                      req.Repository,
		ClusterID:                       optional(req.ClusterID),
		PipelineTemplateUUID:            optional(req.PipelineTemplateUUID),
		BranchConfiguration:             optional(req.BranchConfiguration),
		DefaultBranch:                   cmpOr(req.DefaultBranch, "main"),
		SkipQueuedBranchBuilds:          req.SkipQueuedBranchBuilds,
		SkipQueuedBranchBuildsFilter:    optional(req.SkipQueuedBranchBuildsFilter),
		CancelRunningBranchBuilds:       req.CancelRunningBranchBuilds,
		CancelRunningBranchBuildsFilter: optional(req.CancelRunningBranchBuildsFilter),
		AllowRebuilds:                   model.Ptr(true),
		Provider:                        provider,
		CreatedBy:                       grantOf(r).user,
		CreatedAt:                       model.NewTimestamp(s.opts.Now()),
		Env:                             env,
		Visibility:                      cmpOr(req.Visibility, model.VisibilityPrivate),
		Tags:                            req.Tags,
		Configuration:                   req.Configuration,
		Steps:                           steps,
	}
	s.org.addPipeline(p)
	if len(req.Teams) > 0 {
		s.org.teams[p.ID] = maps.Clone(req.Teams)
	}
	return created(s.renderPipeline(r, u, *p))
}

func cmpOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

func (s *Server) updatePipeline(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	var req model.PipelineUpdate
	body, rp := decodeBody(r, &req)
	if rp != nil {
		return *rp
	}
	if p.Archived() {
		return message(http.StatusUnprocessableEntity, "Archived pipelines are read-only: unarchive the pipeline to change it")
	}
	next := *p
	var errs []fieldError
	if name, set := req.Name.Get(); set || req.Name.IsNull() {
		if err := model.ValidatePipelineName(name); err != nil {
			errs = append(errs, invalidField("name", sentence(err)))
		} else if s.nameTaken(name, "", p) {
			errs = append(errs, fieldError{Field: "name", Code: "already_exists", Message: "Name has already been taken"})
		}
		next.Name = name
	}
	// pipelines.md: a new name brings a new slug, derived from it, unless
	// a slug is given; a slug may also be set alone.
	if slug, err := model.RenamedSlug(*p, req); err != nil {
		field := "slug"
		if v, _ := req.Slug.Get(); v == "" {
			field = "name"
		}
		errs = append(errs, invalidField(field, sentence(err)))
	} else if other := s.org.pipelineBySlug[slug]; other != nil && other != p {
		errs = append(errs, fieldError{Field: "slug", Code: "already_exists", Message: "Slug has already been taken"})
	} else {
		next.Slug = slug
	}
	if v, set := req.Repository.Get(); set || req.Repository.IsNull() {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, blank("repository"))
		} else if v != p.Repository {
			next.Repository = v
			settings := next.Provider.Settings
			next.Provider = providerFor(v)
			if next.Provider.ID == p.Provider.ID {
				settings.Repository = next.Provider.Settings.Repository
				next.Provider.Settings = settings
			}
		}
	}
	if v, set := req.Configuration.Get(); set {
		steps, env, err := stepsFromYAML(v)
		if err != nil {
			errs = append(errs, invalidField("configuration", "Configuration "+err.Error()))
		}
		next.Configuration, next.Steps, next.Env = v, steps, env
	}
	if v, set := req.Steps.Get(); set {
		steps, ferr := normalizeSteps(v)
		if ferr != nil {
			errs = append(errs, *ferr)
		}
		next.Steps, next.Configuration = steps, ""
	}
	setOptional(&next.BranchConfiguration, req.BranchConfiguration)
	setOptional(&next.CancelRunningBranchBuildsFilter, req.CancelRunningBranchBuildsFilter)
	setOptional(&next.SkipQueuedBranchBuildsFilter, req.SkipQueuedBranchBuildsFilter)
	setOptional(&next.Description, req.Description)
	setOptional(&next.PipelineTemplateUUID, req.PipelineTemplateUUID)
	if v, set := req.CancelRunningBranchBuilds.Get(); set {
		next.CancelRunningBranchBuilds = v
	}
	if v, set := req.SkipQueuedBranchBuilds.Get(); set {
		next.SkipQueuedBranchBuilds = v
	}
	if req.ClusterID.IsSet() {
		v, _ := req.ClusterID.Get()
		if v != "" && s.org.clusterByID[v] == nil {
			errs = append(errs, invalidField("cluster_id", "Cluster could not be found"))
		}
		next.ClusterID = optional(v)
	}
	if v, set := req.DefaultBranch.Get(); set {
		next.DefaultBranch = v
	}
	if v, set := req.Env.Get(); set {
		next.Env = maps.Clone(v)
	}
	// Settings are checked against the provider the pipeline will have,
	// after a change of repository.
	rawSettings, ferr := rawProviderSettings(body)
	if ferr != nil {
		errs = append(errs, *ferr)
	}
	errs = append(errs, checkProviderSettings(next.Provider.ID, rawSettings)...)
	next.Provider.Settings = overlaySettings(next.Provider.Settings, rawSettings)
	if req.Tags.IsSet() {
		v, _ := req.Tags.Get()
		next.Tags = slices.Clone(v)
	}
	if v, set := req.Visibility.Get(); set {
		if !validVisibility(v) {
			errs = append(errs, invalidField("visibility", "Visibility must be private or public"))
		}
		next.Visibility = v
	}
	if len(errs) > 0 {
		return validationFailed(errs...)
	}
	moved := next.Name != p.Name || next.Slug != p.Slug
	if moved { // keep the list in name order, and the pipeline under its slug
		s.org.removePipeline(p)
	}
	*p = next
	if moved {
		s.org.addPipeline(p)
	}
	return ok(s.renderPipeline(r, u, *p))
}

// setOptional applies a nullable string field of an update.
func setOptional(dst **string, f model.Field[string]) {
	if !f.IsSet() {
		return
	}
	v, _ := f.Get()
	*dst = optional(v)
}

func (s *Server) deletePipeline(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	if s.pipelineBusy(p) {
		return message(http.StatusUnprocessableEntity, msgBusyDelete)
	}
	s.org.removePipeline(p)
	delete(s.org.teams, p.ID)
	return noContent()
}

// addWebhook is "Add a webhook": only a GitHub pipeline can have one made
// for it, and only once.
func (s *Server) addWebhook(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	if p.Provider.ID != model.ProviderGitHub {
		return message(http.StatusUnprocessableEntity, "Auto-creating webhooks is not supported for your repository.")
	}
	if s.org.webhooks[p.ID] {
		return message(http.StatusUnprocessableEntity, "Webhooks could not be created for your repository.")
	}
	s.org.webhooks[p.ID] = true
	return reply{status: http.StatusCreated}
}

func (s *Server) archivePipeline(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	if p.Archived() {
		return message(http.StatusUnprocessableEntity, "Pipeline could not be archived.")
	}
	p.ArchivedAt = model.NewTimestamp(s.opts.Now())
	return ok(s.renderPipeline(r, u, *p))
}

func (s *Server) unarchivePipeline(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	if !p.Archived() {
		return message(http.StatusUnprocessableEntity, "Pipeline could not be unarchived.")
	}
	p.ArchivedAt = nil
	return ok(s.renderPipeline(r, u, *p))
}

// PipelineTeams returns the teams a pipeline was created with, and
// whether a webhook was added to it: what the API keeps but never returns.
func (s *Server) PipelineTeams(slug string) (teams map[string]string, webhook bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.org.pipelineBySlug[slug]
	if p == nil {
		return nil, false
	}
	return maps.Clone(s.org.teams[p.ID]), s.org.webhooks[p.ID]
}
