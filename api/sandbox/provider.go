package sandbox

import (
	"encoding/json"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

// providerFor works out a pipeline's source provider from its repository
// URL, with the settings Buildkite gives a new pipeline of that provider.
func providerFor(repository string) model.Provider {
	host, path := splitRepository(repository)
	f, t := model.Ptr(false), model.Ptr(true)
	repo := model.Ptr(path)
	switch {
	case host == "github.com":
		return model.Provider{ID: "github", Settings: model.ProviderSettings{
			TriggerMode:                             model.Ptr("code"),
			BuildPullRequests:                       t,
			PullRequestBranchFilterEnabled:          f,
			SkipBuildsForExistingCommits:            f,
			SkipPullRequestBuildsForExistingCommits: t,
			BuildPullRequestReadyForReview:          f,
			BuildPullRequestLabelsChanged:           f,
			BuildPullRequestForks:                   f,
			PrefixPullRequestForkBranchNames:        t,
			BuildBranches:                           t,
			BuildTags:                               f,
			CancelDeletedBranchBuilds:               f,
			PublishCommitStatus:                     t,
			PublishCommitStatusPerStep:              f,
			SeparatePullRequestStatuses:             f,
			PublishBlockedAsPending:                 f,
			UseStepKeyAsCommitStatus:                f,
			FilterEnabled:                           f,
			Repository:                              repo,
		}}
	case host == "bitbucket.org":
		return model.Provider{ID: "bitbucket", Settings: model.ProviderSettings{
			BuildPullRequests:                       t,
			PullRequestBranchFilterEnabled:          f,
			SkipBuildsForExistingCommits:            f,
			SkipPullRequestBuildsForExistingCommits: t,
			BuildBranches:                           t,
			BuildTags:                               f,
			CancelDeletedBranchBuilds:               f,
			PublishCommitStatus:                     t,
			PublishCommitStatusPerStep:              f,
			FilterEnabled:                           f,
			Repository:                              repo,
		}}
	case host == "gitlab.com":
		return model.Provider{ID: "gitlab", Settings: model.ProviderSettings{FilterEnabled: f, Repository: repo}}
	default:
		return model.Provider{ID: "git", Settings: model.ProviderSettings{FilterEnabled: f}}
	}
}

// splitRepository reads the host and "owner/name" path of a repository
// URL in scp form (git@github.com:acme/app.git) or URL form.
func splitRepository(repository string) (host, path string) {
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

// overlaySettings returns base with every property that set sets.
func overlaySettings(base model.ProviderSettings, set *model.ProviderSettings) model.ProviderSettings {
	if set == nil {
		return base
	}
	merged := map[string]any{}
	for _, v := range []any{base, set} {
		data, _ := json.Marshal(v)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		for k, x := range m {
			merged[k] = x
		}
	}
	data, _ := json.Marshal(merged)
	var out model.ProviderSettings
	_ = json.Unmarshal(data, &out)
	return out
}
