package api

import (
	"context"
	"net/http"

	"github.com/kiteconsole/kiteconsole/model"
)

// ListPipelines lists the organisation's pipelines, every page (see PageFunc for onPage).
func (c *Client) ListPipelines(ctx context.Context, onPage PageFunc[model.Pipeline]) ([]model.Pipeline, error) {
	return list(ctx, c, ScopeReadPipelines, c.orgPath("pipelines"), onPage)
}

// ListPipelinesAs lists the organisation's pipelines as ListPipelines
// does, each read into a T: a caller that needs a few of a pipeline's
// fields reads only those (its steps, env and provider settings are most
// of a pipeline's JSON, and of the time a long list takes to read).
func ListPipelinesAs[T any](ctx context.Context, c *Client, onPage PageFunc[T]) ([]T, error) {
	return list(ctx, c, ScopeReadPipelines, c.orgPath("pipelines"), onPage)
}

// GetPipeline gets one pipeline by slug.
func (c *Client) GetPipeline(ctx context.Context, slug string) (model.Pipeline, error) {
	return callFor[model.Pipeline](ctx, c, request{method: http.MethodGet, path: c.orgPath("pipelines", slug), scope: ScopeReadPipelines})
}

// CreatePipeline creates a pipeline: a YAML one when in.Configuration is
// set, a visual-step one when in.Steps is. The slug is derived from the
// name (model.DeriveSlug).
func (c *Client) CreatePipeline(ctx context.Context, in model.PipelineCreate) (model.Pipeline, error) {
	return callFor[model.Pipeline](ctx, c, request{method: http.MethodPost, path: c.orgPath("pipelines"), scope: ScopeWritePipelines, body: in})
}

// UpdatePipeline changes (PATCH) the properties of a pipeline that in sets.
func (c *Client) UpdatePipeline(ctx context.Context, slug string, in model.PipelineUpdate) (model.Pipeline, error) {
	return callFor[model.Pipeline](ctx, c, request{method: http.MethodPatch, path: c.orgPath("pipelines", slug), scope: ScopeWritePipelines, body: in})
}

// ArchivePipeline archives a pipeline: it becomes read-only and hidden.
func (c *Client) ArchivePipeline(ctx context.Context, slug string) (model.Pipeline, error) {
	var out model.Pipeline
	err := c.call(ctx, request{method: http.MethodPost, path: c.orgPath("pipelines", slug, "archive"), scope: ScopeWritePipelines}, &out)
	return c.pipelineReply(ctx, slug, out, err)
}

// UnarchivePipeline unarchives a pipeline.
func (c *Client) UnarchivePipeline(ctx context.Context, slug string) (model.Pipeline, error) {
	var out model.Pipeline
	err := c.call(ctx, request{method: http.MethodPost, path: c.orgPath("pipelines", slug, "unarchive"), scope: ScopeWritePipelines}, &out)
	return c.pipelineReply(ctx, slug, out, err)
}

// pipelineReply is the pipeline a change left: the reply's when it
// carries one, else (an empty body, or an object without an id) the
// pipeline read afresh, so a screen never draws a blank row for a change
// that was made.
func (c *Client) pipelineReply(ctx context.Context, slug string, out model.Pipeline, err error) (model.Pipeline, error) {
	if err != nil || out.ID != "" {
		return out, err
	}
	return c.GetPipeline(ctx, slug)
}

// DeletePipeline deletes a pipeline.
func (c *Client) DeletePipeline(ctx context.Context, slug string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: c.orgPath("pipelines", slug), scope: ScopeWritePipelines}, nil)
}

// AddWebhook asks Buildkite to create the GitHub webhook of a pipeline
// (201). Other providers, or a pipeline that has one, get a 422 whose
// message says so.
func (c *Client) AddWebhook(ctx context.Context, slug string) error {
	return c.call(ctx, request{method: http.MethodPost, path: c.orgPath("pipelines", slug, "webhook"), scope: ScopeWritePipelines}, nil)
}
