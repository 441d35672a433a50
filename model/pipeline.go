package model

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Pipeline is a Buildkite pipeline with every field of the pipelines API.
type Pipeline struct {
	ID                              string     `json:"id"`
	GraphQLID                       string     `json:"graphql_id"`
	URL                             string     `json:"url"`
	WebURL                          string     `json:"web_url"`
	Name                            string     `json:"name"`
	Description                     *string    `json:"description"`
	Slug                            string     `json:"slug"`
	Repository                      string     `json:"repository"`
	ClusterID                       *string    `json:"cluster_id"`
	PipelineTemplateUUID            *string    `json:"pipeline_template_uuid"`
	BranchConfiguration             *string    `json:"branch_configuration"`
	DefaultBranch                   string     `json:"default_branch"`
	SkipQueuedBranchBuilds          bool       `json:"skip_queued_branch_builds"`
	SkipQueuedBranchBuildsFilter    *string    `json:"skip_queued_branch_builds_filter"`
	CancelRunningBranchBuilds       bool       `json:"cancel_running_branch_builds"`
	CancelRunningBranchBuildsFilter *string    `json:"cancel_running_branch_builds_filter"`
	AllowRebuilds                   *bool      `json:"allow_rebuilds,omitempty"`
	Provider                        Provider   `json:"provider"`
	BuildsURL                       string     `json:"builds_url"`
	BadgeURL                        string     `json:"badge_url"`
	CreatedBy                       *User      `json:"created_by"`
	CreatedAt                       *Timestamp `json:"created_at"`
	ArchivedAt                      *Timestamp `json:"archived_at"`
	Env                             Env        `json:"env"`
	ScheduledBuildsCount            int        `json:"scheduled_builds_count"`
	RunningBuildsCount              int        `json:"running_builds_count"`
	ScheduledJobsCount              int        `json:"scheduled_jobs_count"`
	RunningJobsCount                int        `json:"running_jobs_count"`
	WaitingJobsCount                int        `json:"waiting_jobs_count"`
	Visibility                      string     `json:"visibility"`
	Tags                            []string   `json:"tags"`
	Configuration                   string     `json:"configuration,omitempty"`
	Steps                           []Step     `json:"steps"`
}

// Archived reports whether the pipeline is archived.
func (p Pipeline) Archived() bool { return p.ArchivedAt != nil && !p.ArchivedAt.IsZero() }

// Visibility values.
const (
	VisibilityPrivate = "private"
	VisibilityPublic  = "public"
)

// Provider is the pipeline's source provider (github, bitbucket, gitlab,
// github_enterprise, bitbucket_server, git ...) and its settings.
type Provider struct {
	ID         string           `json:"id"`
	WebhookURL string           `json:"webhook_url,omitempty"`
	Settings   ProviderSettings `json:"settings"`
}

// ProviderSettings holds every provider setting of the spec. Pointers
// distinguish "not set" from false, so a request carries only what the
// caller set, and a reply keeps only what the provider has.
type ProviderSettings struct {
	// All providers.
	FilterEnabled   *bool   `json:"filter_enabled,omitempty"`
	FilterCondition *string `json:"filter_condition,omitempty"`
	// Bitbucket Server, Bitbucket Cloud, GitHub, GitHub Enterprise.
	BuildBranches     *bool `json:"build_branches,omitempty"`
	BuildPullRequests *bool `json:"build_pull_requests,omitempty"`
	BuildTags         *bool `json:"build_tags,omitempty"`
	// Bitbucket Cloud, GitHub, GitHub Enterprise.
	CancelDeletedBranchBuilds               *bool   `json:"cancel_deleted_branch_builds,omitempty"`
	PublishCommitStatus                     *bool   `json:"publish_commit_status,omitempty"`
	PublishCommitStatusPerStep              *bool   `json:"publish_commit_status_per_step,omitempty"`
	PullRequestBranchFilterEnabled          *bool   `json:"pull_request_branch_filter_enabled,omitempty"`
	PullRequestBranchFilterConfiguration    *string `json:"pull_request_branch_filter_configuration,omitempty"`
	SkipBuildsForExistingCommits            *bool   `json:"skip_builds_for_existing_commits,omitempty"`
	SkipPullRequestBuildsForExistingCommits *bool   `json:"skip_pull_request_builds_for_existing_commits,omitempty"`
	// GitHub only.
	BuildPullRequestForks            *bool   `json:"build_pull_request_forks,omitempty"`
	BuildPullRequestLabelsChanged    *bool   `json:"build_pull_request_labels_changed,omitempty"`
	BuildPullRequestReadyForReview   *bool   `json:"build_pull_request_ready_for_review,omitempty"`
	PrefixPullRequestForkBranchNames *bool   `json:"prefix_pull_request_fork_branch_names,omitempty"`
	PublishBlockedAsPending          *bool   `json:"publish_blocked_as_pending,omitempty"`
	SeparatePullRequestStatuses      *bool   `json:"separate_pull_request_statuses,omitempty"`
	UseStepKeyAsCommitStatus         *bool   `json:"use_step_key_as_commit_status,omitempty"`
	TriggerMode                      *string `json:"trigger_mode,omitempty"`
	// Read only: the provider's name for the repository ("acme-inc/app").
	Repository *string `json:"repository,omitempty"`
}

// Trigger modes of a GitHub pipeline.
var TriggerModes = []string{"code", "deployment", "fork", "none"}

// Step is one step of a pipeline's steps: a script (command), a waiter,
// a manual (block) or a trigger step.
type Step struct {
	Type                string   `json:"type"`
	Name                *string  `json:"name,omitempty"`
	Label               *string  `json:"label,omitempty"`
	Command             *string  `json:"command,omitempty"`
	ArtifactPaths       *string  `json:"artifact_paths,omitempty"`
	BranchConfiguration *string  `json:"branch_configuration,omitempty"`
	Env                 Env      `json:"env,omitempty"`
	TimeoutInMinutes    *int     `json:"timeout_in_minutes,omitempty"`
	AgentQueryRules     []string `json:"agent_query_rules,omitempty"`
	Concurrency         *int     `json:"concurrency,omitempty"`
	Parallelism         *int     `json:"parallelism,omitempty"`
	// Trigger steps, as the API returns them.
	Pipeline *string       `json:"pipeline,omitempty"`
	Build    *TriggerBuild `json:"build,omitempty"`
	Async    *bool         `json:"async,omitempty"`
	// Trigger steps, as a create request names them.
	TriggerProjectSlug *string `json:"trigger_project_slug,omitempty"`
	TriggerCommit      *string `json:"trigger_commit,omitempty"`
	TriggerBranch      *string `json:"trigger_branch,omitempty"`
	TriggerAsync       *bool   `json:"trigger_async,omitempty"`
}

// Step types.
const (
	StepScript  = "script"
	StepWaiter  = "waiter"
	StepManual  = "manual"
	StepTrigger = "trigger"
)

// TriggerBuild is the build a trigger step creates.
type TriggerBuild struct {
	Message *string `json:"message"`
	Branch  *string `json:"branch"`
	Commit  *string `json:"commit"`
	Env     Env     `json:"env"`
}

// Team access levels of a pipeline.
var TeamAccessLevels = []string{"read_only", "build_and_read", "manage_build_and_read"}

// DefaultConfiguration is the YAML a new pipeline gets unless the caller
// gives one: it uploads .buildkite/pipeline.yml from the repository.
const DefaultConfiguration = "steps:\n  - command: \"buildkite-agent pipeline upload\""

// PipelineCreate is the body of "Create a YAML pipeline" (Configuration)
// or "Create a visual step pipeline" (Steps). Name, ClusterID and
// Repository are required, and one of Configuration or Steps.
type PipelineCreate struct {
	Name string `json:"name"`
	// Slug, when set, is the pipeline's slug instead of one derived from
	// its name (PipelineSlug says which it will be).
	Slug                            string                 `json:"slug,omitempty"`
	ClusterID                       string                 `json:"cluster_id,omitempty"`
	Repository                      string                 `json:"repository"`
	Configuration                   string                 `json:"configuration,omitempty"`
	Steps                           []Step                 `json:"steps,omitempty"`
	BranchConfiguration             string                 `json:"branch_configuration,omitempty"`
	CancelRunningBranchBuilds       bool                   `json:"cancel_running_branch_builds,omitempty"`
	CancelRunningBranchBuildsFilter string                 `json:"cancel_running_branch_builds_filter,omitempty"`
	SkipQueuedBranchBuilds          bool                   `json:"skip_queued_branch_builds,omitempty"`
	SkipQueuedBranchBuildsFilter    string                 `json:"skip_queued_branch_builds_filter,omitempty"`
	DefaultBranch                   string                 `json:"default_branch,omitempty"`
	Description                     string                 `json:"description,omitempty"`
	Env                             map[string]string      `json:"env,omitempty"`
	PipelineTemplateUUID            string                 `json:"pipeline_template_uuid,omitempty"`
	ProviderSettings                ProviderSettingsChange `json:"provider_settings,omitempty"`
	Tags                            []string               `json:"tags,omitempty"`
	Teams                           map[string]string      `json:"teams,omitempty"`
	Visibility                      string                 `json:"visibility,omitempty"`
}

// PipelineUpdate is the body of "Update a pipeline" (PATCH): only the
// fields that are set are sent. ClusterID and PipelineTemplateUUID may be
// set to Null to remove the pipeline from its cluster or template.
type PipelineUpdate struct {
	// Name, when it changes, changes the slug too (derived from the new
	// name) unless Slug is set: pipelines.md, "Update a pipeline".
	Name Field[string] `json:"name,omitzero"`
	// Slug sets the slug; a Null slug is derived from the name.
	Slug                            Field[string]            `json:"slug,omitzero"`
	Repository                      Field[string]            `json:"repository,omitzero"`
	Configuration                   Field[string]            `json:"configuration,omitzero"`
	Steps                           Field[[]Step]            `json:"steps,omitzero"`
	BranchConfiguration             Field[string]            `json:"branch_configuration,omitzero"`
	CancelRunningBranchBuilds       Field[bool]              `json:"cancel_running_branch_builds,omitzero"`
	CancelRunningBranchBuildsFilter Field[string]            `json:"cancel_running_branch_builds_filter,omitzero"`
	SkipQueuedBranchBuilds          Field[bool]              `json:"skip_queued_branch_builds,omitzero"`
	SkipQueuedBranchBuildsFilter    Field[string]            `json:"skip_queued_branch_builds_filter,omitzero"`
	ClusterID                       Field[string]            `json:"cluster_id,omitzero"`
	DefaultBranch                   Field[string]            `json:"default_branch,omitzero"`
	Description                     Field[string]            `json:"description,omitzero"`
	Env                             Field[map[string]string] `json:"env,omitzero"`
	PipelineTemplateUUID            Field[string]            `json:"pipeline_template_uuid,omitzero"`
	ProviderSettings                ProviderSettingsChange   `json:"provider_settings,omitempty"`
	Tags                            Field[[]string]          `json:"tags,omitzero"`
	Visibility                      Field[string]            `json:"visibility,omitzero"`
}

// CheckTeams checks a create request's teams: each key a team UUID, each
// value one of the access levels.
func CheckTeams(teams map[string]string) []string {
	var problems []string
	ids := make([]string, 0, len(teams))
	for id := range teams {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !uuidPattern.MatchString(id) {
			problems = append(problems, fmt.Sprintf("Team %q is not a team UUID", id))
		}
		if level := teams[id]; !slices.Contains(TeamAccessLevels, level) {
			problems = append(problems, fmt.Sprintf("Access level %q of team %s must be one of %s", level, id, strings.Join(TeamAccessLevels, ", ")))
		}
	}
	return problems
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ParseTeams reads teams as a person writes them: one "UUID level" (or
// UUID=level) per line or comma; a UUID alone gets read_only.
func ParseTeams(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, level, _ := strings.Cut(strings.Join(strings.FieldsFunc(entry, func(r rune) bool { return r == '=' || r == ' ' || r == '\t' || r == ':' }), " "), " ")
		if level == "" {
			level = "read_only"
		}
		if problems := CheckTeams(map[string]string{id: level}); len(problems) > 0 {
			return nil, errors.New(problems[0])
		}
		out[id] = level
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// ParseEnv reads environment variables as KEY=value, one per line.
func ParseEnv(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("line %d: write KEY=value", i+1)
		}
		out[k] = v
	}
	return out, nil
}

// FormatEnv writes environment variables as ParseEnv reads them, sorted.
func FormatEnv(env map[string]string) string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		lines = append(lines, k+"="+env[k])
	}
	return strings.Join(lines, "\n")
}

// ParseVisualSteps reads visual steps as a person writes them, one step
// a line: "wait" is a waiter, "block" or "block: Label" a manual step,
// "Name | command" a named script step and any other line a command.
func ParseVisualSteps(s string) ([]Step, error) {
	var steps []Step
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		lower := strings.ToLower(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case lower == "wait" || lower == "waiter":
			steps = append(steps, Step{Type: StepWaiter})
		case lower == "block" || strings.HasPrefix(lower, "block:"):
			st := Step{Type: StepManual}
			if label := strings.TrimSpace(line[len("block"):]); label != "" {
				st.Label = Ptr(strings.TrimSpace(strings.TrimPrefix(label, ":")))
			}
			steps = append(steps, st)
		default:
			name, command, named := strings.Cut(line, " | ")
			st := Step{Type: StepScript, Command: Ptr(strings.TrimSpace(line))}
			if named {
				if strings.TrimSpace(command) == "" {
					return nil, fmt.Errorf("line %d: a script step needs a command after |", i+1)
				}
				st.Name, st.Command = Ptr(strings.TrimSpace(name)), Ptr(strings.TrimSpace(command))
			}
			steps = append(steps, st)
		}
	}
	if len(steps) == 0 {
		return nil, errors.New("add at least one step")
	}
	return steps, nil
}

// ValidateUUID checks an optional UUID (a pipeline template's).
func ValidateUUID(what, s string) error {
	if s = strings.TrimSpace(s); s != "" && !uuidPattern.MatchString(s) {
		return fmt.Errorf("%s must be a UUID such as 018e5a22-d14c-7085-bb28-db0f83f43a1c", what)
	}
	return nil
}

// PipelineSlug is the slug a pipeline of this name gets: slug when one is
// given (it must match SlugPattern and be at most MaxSlugLength), else
// the one derived from the name (DeriveSlug). A form shows it before
// anything is sent.
func PipelineSlug(name, slug string) (string, error) {
	if slug == "" {
		return DeriveSlug(name)
	}
	return slug, ValidateSlug(slug)
}

// ValidateSlug checks a slug given for a pipeline: letters, digits and
// dashes, not starting with a dash, at most MaxSlugLength characters.
func ValidateSlug(slug string) error {
	if len(slug) > MaxSlugLength {
		return fmt.Errorf("a slug may have at most %d characters, not %d", MaxSlugLength, len(slug))
	}
	if !SlugPattern.MatchString(slug) {
		return errors.New("a slug has only letters, digits and dashes, and does not begin with a dash")
	}
	return nil
}

// RenamedSlug is the slug pipeline p will have after update u: the slug
// u sets, else the one derived from a new name, else p's own (the same
// name again leaves a custom slug alone). An error is a slug or name the
// API would refuse.
func RenamedSlug(p Pipeline, u PipelineUpdate) (string, error) {
	name, named := u.Name.Get()
	if v, ok := u.Slug.Get(); ok && v != "" {
		return v, ValidateSlug(v)
	}
	if (named && name != p.Name) || u.Slug.IsSet() {
		if !named {
			name = p.Name
		}
		return DeriveSlug(name)
	}
	return p.Slug, nil
}
