package api

import (
	"slices"

	"github.com/kiteconsole/kiteconsole/model"
)

// Scopes an API access token needs for each group of endpoints.
const (
	ScopeReadClusters   = "read_clusters"
	ScopeWriteClusters  = "write_clusters"
	ScopeReadPipelines  = "read_pipelines"
	ScopeWritePipelines = "write_pipelines"
	ScopeReadAgents     = "read_agents"
	ScopeWriteAgents    = "write_agents"
	ScopeReadBuilds     = "read_builds"
	ScopeWriteBuilds    = "write_builds"
	ScopeReadBuildLogs  = "read_build_logs"
	// ScopeWriteTeams changes teams and their members; the console does
	// not (giving a team a pipeline is write_pipelines).
	ScopeWriteTeams = "write_teams"
)

// Action is something the console does through the API. Each needs one
// scope of the token (Scope): a token with write_builds and write_agents
// but neither write_clusters nor write_pipelines may cancel builds and
// pause agents, and nothing else that changes.
type Action string

// The console's actions.
const (
	ActionChangeCluster  Action = "create, edit or delete a cluster"
	ActionChangeQueue    Action = "create, edit or delete a queue"
	ActionPauseQueue     Action = "pause or resume a queue's dispatch"
	ActionChangeToken    Action = "create, edit or revoke an agent token"
	ActionChangePipeline Action = "create, edit or delete a pipeline"
	ActionArchive        Action = "archive or unarchive a pipeline"
	ActionWebhook        Action = "add a pipeline's webhook"
	ActionPauseAgent     Action = "pause or resume an agent"
	ActionStopAgent      Action = "stop an agent"
	ActionCreateBuild    Action = "create a build"
	ActionCancelBuild    Action = "cancel a build"
	ActionRebuild        Action = "rebuild a build"
	ActionRetryFailed    Action = "retry a build's failed jobs"
	ActionRetryJob       Action = "retry a job"
	ActionUnblockJob     Action = "unblock a job"

	ActionReadClusters  Action = "read clusters, queues and agent tokens"
	ActionReadPipelines Action = "read pipelines"
	ActionReadAgents    Action = "read agents"
	ActionReadBuilds    Action = "read builds and jobs"
	ActionReadLogs      Action = "read a job's log"
	ActionReadTeams     Action = "read teams"
)

// actionScopes is the scope each action's endpoint names in its page.
var actionScopes = map[Action]string{
	ActionChangeCluster:  ScopeWriteClusters,
	ActionChangeQueue:    ScopeWriteClusters,
	ActionPauseQueue:     ScopeWriteClusters,
	ActionChangeToken:    ScopeWriteClusters,
	ActionChangePipeline: ScopeWritePipelines,
	ActionArchive:        ScopeWritePipelines,
	ActionWebhook:        ScopeWritePipelines,
	ActionPauseAgent:     ScopeWriteAgents,
	ActionStopAgent:      ScopeWriteAgents,
	ActionCreateBuild:    ScopeWriteBuilds,
	ActionCancelBuild:    ScopeWriteBuilds,
	ActionRebuild:        ScopeWriteBuilds,
	ActionRetryFailed:    ScopeWriteBuilds,
	ActionRetryJob:       ScopeWriteBuilds,
	ActionUnblockJob:     ScopeWriteBuilds,

	ActionReadClusters:  ScopeReadClusters,
	ActionReadPipelines: ScopeReadPipelines,
	ActionReadAgents:    ScopeReadAgents,
	ActionReadBuilds:    ScopeReadBuilds,
	ActionReadLogs:      ScopeReadBuildLogs,
	ActionReadTeams:     ScopeReadTeams,
}

// Scope is the token scope the action needs.
func (a Action) Scope() string { return actionScopes[a] }

// Changes reports whether the action changes something (needs a write_
// scope).
func (a Action) Changes() bool {
	s := a.Scope()
	return len(s) > 6 && s[:6] == "write_"
}

// Actions are every action, changes first, in a stable order.
func Actions() []Action {
	out := make([]Action, 0, len(actionScopes))
	for a := range actionScopes {
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y Action) int {
		switch {
		case x.Changes() != y.Changes():
			if x.Changes() {
				return -1
			}
			return 1
		case x.Scope() != y.Scope():
			if x.Scope() < y.Scope() {
				return -1
			}
			return 1
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	return out
}

// Allows reports whether a token (as GET /v2/access-token describes it)
// may take the action: it has the action's own scope.
func Allows(t model.AccessToken, a Action) bool { return t.HasScope(a.Scope()) }

// LacksFor names the write scopes the token lacks among those the
// console's changes need, in a stable order: what to tell a person at
// start. None when the token may make every change.
func LacksFor(t model.AccessToken) []string {
	var out []string
	for _, a := range Actions() {
		if a.Changes() && !Allows(t, a) && !slices.Contains(out, a.Scope()) {
			out = append(out, a.Scope())
		}
	}
	slices.Sort(out)
	return out
}
