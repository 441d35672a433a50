// Package gqlschema is the part of Buildkite's GraphQL schema kiteconsole
// uses (schema.graphql), and the query complexity Buildkite's resource
// limits are counted in: the sandbox serves and meters that schema, and
// the client sizes its batched queries with the same count.
package gqlschema

import (
	_ "embed"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// SDL is the subset of Buildkite's published schema kiteconsole uses.
//
//go:embed schema.graphql
var SDL string

var (
	loadOnce sync.Once
	loaded   *ast.Schema
)

// Schema is SDL parsed and checked. It panics if SDL is not a valid
// schema, which a test of this package would have caught.
func Schema() *ast.Schema {
	loadOnce.Do(func() {
		loaded = gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphql", Input: SDL})
	})
	return loaded
}

// Parse parses and validates a query document against the subset.
func Parse(query string) (*ast.QueryDocument, gqlerror.List) {
	return gqlparser.LoadQuery(Schema(), query)
}
