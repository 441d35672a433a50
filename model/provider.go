package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Source providers the pipelines API names. Any other provider (GitLab,
// a plain git host) takes only the settings every provider has.
const (
	ProviderGitHub           = "github"
	ProviderGitHubEnterprise = "github_enterprise"
	ProviderBitbucket        = "bitbucket"
	ProviderBitbucketServer  = "bitbucket_server"
	ProviderGitLab           = "gitlab"
	ProviderGit              = "git"
)

// SettingKind is how a provider setting's value is written.
type SettingKind int

// Setting kinds.
const (
	SettingBool SettingKind = iota
	SettingText
	SettingEnum
)

// ProviderSetting is one property of provider_settings, as the spec's
// "Provider settings properties" section describes it.
type ProviderSetting struct {
	Name   string // the JSON property
	Label  string // a short title for screens and forms
	Help   string // the spec's description
	Kind   SettingKind
	Values []string // an enum's values
	// tier is the smallest provider group that has the setting.
	tier settingTier
}

type settingTier int

const (
	tierAll             settingTier = iota // every provider
	tierBitbucketServer                    // Bitbucket Server and up
	tierCloud                              // Bitbucket Cloud, GitHub, GitHub Enterprise
	tierGitHub                             // GitHub only
)

// ProviderSettingsCatalogue is every provider setting of the spec, in the
// spec's order.
var ProviderSettingsCatalogue = []ProviderSetting{
	{Name: "filter_enabled", Label: "Filter enabled", Help: "Whether filter conditions are used for this pipeline.", tier: tierAll},
	{Name: "filter_condition", Label: "Filter condition", Kind: SettingText, Help: "The conditions under which this pipeline will trigger a build, e.g. build.pull_request.base_branch =~ /main/", tier: tierAll},
	{Name: "build_branches", Label: "Build branches", Help: "Whether to create builds when branches are pushed.", tier: tierBitbucketServer},
	{Name: "build_pull_requests", Label: "Build pull requests", Help: "Whether to create builds for commits that are part of a Pull Request.", tier: tierBitbucketServer},
	{Name: "build_tags", Label: "Build tags", Help: "Whether to create builds when tags are pushed.", tier: tierBitbucketServer},
	{Name: "cancel_deleted_branch_builds", Label: "Cancel deleted branch builds", Help: "Automatically cancel any running builds for a branch if the branch is deleted.", tier: tierCloud},
	{Name: "publish_commit_status", Label: "Publish commit status", Help: "Whether to update the status of commits in Bitbucket or GitHub.", tier: tierCloud},
	{Name: "publish_commit_status_per_step", Label: "Commit status per step", Help: "Create a separate status for each job in a build.", tier: tierCloud},
	{Name: "pull_request_branch_filter_enabled", Label: "PR branch filter enabled", Help: "Whether to limit the creation of builds to specific branches or patterns.", tier: tierCloud},
	{Name: "pull_request_branch_filter_configuration", Label: "PR branch filter", Kind: SettingText, Help: "Only pull requests on branches matching this pattern create builds, e.g. features/*", tier: tierCloud},
	{Name: "skip_builds_for_existing_commits", Label: "Skip existing commits", Help: "Skip creating a new build if a build for the commit and branch already exists.", tier: tierCloud},
	{Name: "skip_pull_request_builds_for_existing_commits", Label: "Skip existing PR commits", Help: "Skip a new pull request build if a build for the commit and branch already exists.", tier: tierCloud},
	{Name: "build_pull_request_forks", Label: "Build PR forks", Help: "Whether to create builds for pull requests from third-party forks.", tier: tierGitHub},
	{Name: "build_pull_request_labels_changed", Label: "Build on PR labels", Help: "Whether to create builds for pull requests when labels are added or removed.", tier: tierGitHub},
	{Name: "build_pull_request_ready_for_review", Label: "Build ready for review", Help: "Whether to create builds for pull requests that are ready for review.", tier: tierGitHub},
	{Name: "prefix_pull_request_fork_branch_names", Label: "Prefix fork branches", Help: "Prefix branch names of fork builds (some-user:main) so they don't trigger branch conditions.", tier: tierGitHub},
	{Name: "publish_blocked_as_pending", Label: "Blocked as pending", Help: "Report blocked builds as pending, so required checks stop merges of blocked builds.", tier: tierGitHub},
	{Name: "separate_pull_request_statuses", Label: "Separate PR statuses", Help: "Create a separate status for pull request builds.", tier: tierGitHub},
	{Name: "trigger_mode", Label: "Trigger mode", Kind: SettingEnum, Values: TriggerModes, Help: "What creates builds: code pushes, deployments, forks, or none.", tier: tierGitHub},
}

func providerTier(provider string) settingTier {
	switch provider {
	case ProviderGitHub:
		return tierGitHub
	case ProviderGitHubEnterprise, ProviderBitbucket:
		return tierCloud
	case ProviderBitbucketServer:
		return tierBitbucketServer
	}
	return tierAll
}

// ProviderSettingsFor lists the settings the spec allows for a provider.
func ProviderSettingsFor(provider string) []ProviderSetting {
	t := providerTier(provider)
	var out []ProviderSetting
	for _, s := range ProviderSettingsCatalogue {
		if s.tier <= t {
			out = append(out, s)
		}
	}
	return out
}

// ProviderHasSetting reports whether a provider accepts a setting.
func ProviderHasSetting(provider, name string) bool {
	for _, s := range ProviderSettingsFor(provider) {
		if s.Name == name {
			return true
		}
	}
	return false
}

// ProviderLabel is a provider's name as people say it.
func ProviderLabel(provider string) string {
	switch provider {
	case ProviderGitHub:
		return "GitHub"
	case ProviderGitHubEnterprise:
		return "GitHub Enterprise"
	case ProviderBitbucket:
		return "Bitbucket Cloud"
	case ProviderBitbucketServer:
		return "Bitbucket Server"
	case ProviderGitLab:
		return "GitLab"
	case "", ProviderGit:
		return "Git"
	}
	return provider
}

// field is the field that holds a setting, by its JSON name: a **bool
// or a **string; nil for a name that is not a setting.
func (ps *ProviderSettings) field(name string) any {
	switch name {
	case "filter_enabled":
		return &ps.FilterEnabled
	case "filter_condition":
		return &ps.FilterCondition
	case "build_branches":
		return &ps.BuildBranches
	case "build_pull_requests":
		return &ps.BuildPullRequests
	case "build_tags":
		return &ps.BuildTags
	case "cancel_deleted_branch_builds":
		return &ps.CancelDeletedBranchBuilds
	case "publish_commit_status":
		return &ps.PublishCommitStatus
	case "publish_commit_status_per_step":
		return &ps.PublishCommitStatusPerStep
	case "pull_request_branch_filter_enabled":
		return &ps.PullRequestBranchFilterEnabled
	case "pull_request_branch_filter_configuration":
		return &ps.PullRequestBranchFilterConfiguration
	case "skip_builds_for_existing_commits":
		return &ps.SkipBuildsForExistingCommits
	case "skip_pull_request_builds_for_existing_commits":
		return &ps.SkipPullRequestBuildsForExistingCommits
	case "build_pull_request_forks":
		return &ps.BuildPullRequestForks
	case "build_pull_request_labels_changed":
		return &ps.BuildPullRequestLabelsChanged
	case "build_pull_request_ready_for_review":
		return &ps.BuildPullRequestReadyForReview
	case "prefix_pull_request_fork_branch_names":
		return &ps.PrefixPullRequestForkBranchNames
	case "publish_blocked_as_pending":
		return &ps.PublishBlockedAsPending
	case "separate_pull_request_statuses":
		return &ps.SeparatePullRequestStatuses
	case "trigger_mode":
		return &ps.TriggerMode
	}
	return nil
}

// Setting returns one setting's value by its JSON name: a *bool or a
// *string, nil when unset.
func (ps *ProviderSettings) Setting(name string) any {
	switch f := ps.field(name).(type) {
	case **bool:
		return *f
	case **string:
		return *f
	}
	return nil
}

// SetSetting sets one setting by its JSON name from a bool or a string;
// nil (or a value of the other kind) clears it.
func (ps *ProviderSettings) SetSetting(name string, v any) {
	switch f := ps.field(name).(type) {
	case **bool:
		*f = nil
		if b, ok := v.(bool); ok {
			*f = Ptr(b)
		}
	case **string:
		*f = nil
		if x, ok := v.(string); ok {
			*f = Ptr(x)
		}
	}
}

// ProviderSettingsChange is a provider_settings request body: exactly
// the properties it names, where a nil value is JSON null (clears a
// text setting).
type ProviderSettingsChange map[string]any

// CheckProviderSettings checks a provider_settings object against what
// the spec allows for a provider: every property must be one of the
// provider's, booleans must be booleans, and trigger_mode one of its
// values. It returns one message per problem.
func CheckProviderSettings(provider string, raw map[string]json.RawMessage) []string {
	var problems []string
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		value := strings.TrimSpace(string(raw[name]))
		setting, known := ProviderSettingNamed(name)
		switch {
		case name == "repository":
			problems = append(problems, "repository is read-only: change the pipeline's repository instead")
			continue
		case !known:
			problems = append(problems, fmt.Sprintf("%s is not a provider setting", name))
			continue
		case !ProviderHasSetting(provider, name):
			problems = append(problems, fmt.Sprintf("%s is not a setting of %s pipelines", name, ProviderLabel(provider)))
			continue
		}
		switch setting.Kind {
		case SettingBool:
			if value != "true" && value != "false" {
				problems = append(problems, fmt.Sprintf("%s must be true or false", name))
			}
		case SettingText:
			var s *string
			if json.Unmarshal(raw[name], &s) != nil {
				problems = append(problems, fmt.Sprintf("%s must be a string", name))
			}
		case SettingEnum:
			var s string
			if json.Unmarshal(raw[name], &s) != nil || !slices.Contains(setting.Values, s) {
				problems = append(problems, fmt.Sprintf("%s must be one of %s", name, strings.Join(setting.Values, ", ")))
			}
		}
	}
	return problems
}

// ProviderSettingNamed is the catalogue's entry for a setting.
func ProviderSettingNamed(name string) (ProviderSetting, bool) {
	for _, s := range ProviderSettingsCatalogue {
		if s.Name == name {
			return s, true
		}
	}
	return ProviderSetting{}, false
}

// ProviderForRepository works out a pipeline's source provider from its
// repository URL, as Buildkite does when a pipeline is created: the
// provider's ID and the "owner/name" it knows the repository by.
func ProviderForRepository(repository string) (id, path string) {
	host, path := SplitRepository(repository)
	switch {
	case host == "github.com":
		return ProviderGitHub, path
	case host == "bitbucket.org":
		return ProviderBitbucket, path
	case host == "gitlab.com":
		return ProviderGitLab, path
	case strings.HasPrefix(host, "github.") || strings.Contains(host, ".github."):
		return ProviderGitHubEnterprise, path
	case strings.HasPrefix(host, "bitbucket.") || strings.Contains(host, ".bitbucket."):
		return ProviderBitbucketServer, path
	}
	return ProviderGit, ""
}

// SplitRepository reads the host and "owner/name" path of a repository
// URL in scp form (git@github.com:acme/app.git) or URL form.
func SplitRepository(repository string) (host, path string) {
	r := strings.TrimSpace(repository)
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
		if at := strings.IndexByte(r, '@'); at >= 0 && at < strings.IndexByte(r+"/", '/') {
			r = r[at+1:]
		}
		host, path, _ = strings.Cut(r, "/")
	} else {
		if at := strings.IndexByte(r, '@'); at >= 0 {
			r = r[at+1:]
		}
		host, path, _ = strings.Cut(r, ":")
	}
	if i := strings.IndexByte(host, ':'); i >= 0 { // a port
		host = host[:i]
	}
	return strings.ToLower(host), strings.TrimSuffix(strings.Trim(path, "/"), ".git")
}

// DefaultProviderSettings are the settings Buildkite gives a new pipeline
// of a provider.
func DefaultProviderSettings(provider, path string) ProviderSettings {
	f, t := Ptr(false), Ptr(true)
	var repo *string
	if path != "" {
		repo = Ptr(path)
	}
	ps := ProviderSettings{FilterEnabled: f, Repository: repo}
	tier := providerTier(provider)
	if tier >= tierBitbucketServer {
		ps.BuildBranches, ps.BuildPullRequests, ps.BuildTags = t, t, f
	}
	if tier >= tierCloud {
		ps.CancelDeletedBranchBuilds, ps.PublishCommitStatus, ps.PublishCommitStatusPerStep = f, t, f
		ps.PullRequestBranchFilterEnabled, ps.SkipBuildsForExistingCommits, ps.SkipPullRequestBuildsForExistingCommits = f, f, t
	}
	if tier >= tierGitHub {
		ps.TriggerMode = Ptr("code")
		ps.BuildPullRequestForks, ps.BuildPullRequestLabelsChanged, ps.BuildPullRequestReadyForReview = f, f, f
		ps.PrefixPullRequestForkBranchNames, ps.PublishBlockedAsPending, ps.SeparatePullRequestStatuses = t, f, f
		ps.UseStepKeyAsCommitStatus = f
	}
	return ps
}
