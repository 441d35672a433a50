package api

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
)
