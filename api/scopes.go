package api

// Scopes an API access token needs for each group of endpoints.
const (
	ScopeReadClusters   = "read_clusters"
	ScopeWriteClusters  = "write_clusters"
	ScopeReadPipelines  = "read_pipelines"
	ScopeWritePipelines = "write_pipelines"
)
