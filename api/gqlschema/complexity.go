package gqlschema

import (
	"math"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Buildkite's resource limits (graphql_resource_limits.md): a field that
// returns an object, an interface or a union costs a point, a scalar or an
// enum none; a connection's nodes cost a point each, as many as first or
// last asks for (DefaultPageSize when neither is given) before the query
// runs, as many as came back after.
const (
	// MaxRequested is the single-query limit: a query whose requested
	// complexity is above it is refused before it runs.
	MaxRequested = 50_000
	// DefaultPageSize is the page a connection is counted at when the
	// query gives neither first nor last.
	DefaultPageSize = 500
)

// Requested is the complexity op asks for with vars: what the single-query
// limit is checked against before the query runs.
func Requested(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) int {
	return clamp(requested(schema, op.SelectionSet, vars, 1, 0))
}

// requested counts a selection set each of whose objects appears mult
// times; page is the page size of the connection the set's edges belong
// to.
func requested(schema *ast.Schema, set ast.SelectionSet, vars map[string]any, mult float64, page float64) float64 {
	total := 0.0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Definition == nil || !composite(schema, sel.Definition.Type) {
				continue
			}
			n := mult
			if sel.Name == "node" && page > 0 && sel.ObjectDefinition != nil && strings.HasSuffix(sel.ObjectDefinition.Name, "Edge") {
				n = mult * page
			}
			total += n
			childPage := 0.0
			if strings.HasSuffix(sel.Definition.Type.Name(), "Connection") {
				childPage = pageSize(sel.ArgumentMap(vars))
			} else if sel.Name == "edges" {
				childPage = page
			}
			total += requested(schema, sel.SelectionSet, vars, n, childPage)
		case *ast.InlineFragment:
			total += requested(schema, sel.SelectionSet, vars, mult, page)
		case *ast.FragmentSpread:
			if sel.Definition != nil {
				total += requested(schema, sel.Definition.SelectionSet, vars, mult, page)
			}
		}
	}
	return total
}

// Actual is the complexity of a query's reply: its data as decoded from
// JSON (objects as map[string]any, lists as []any), read along op's
// selections. Only what came back is counted.
func Actual(schema *ast.Schema, op *ast.OperationDefinition, data map[string]any) int {
	return clamp(actual(schema, op.SelectionSet, data))
}

func actual(schema *ast.Schema, set ast.SelectionSet, data map[string]any) float64 {
	total := 0.0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Definition == nil || !composite(schema, sel.Definition.Type) {
				continue
			}
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			switch v := data[key].(type) {
			case map[string]any:
				total += 1 + actual(schema, sel.SelectionSet, v)
			case []any:
				// A list of edges costs a point; each object in it is
				// read for what it holds (a node a point each).
				total++
				for _, item := range v {
					if m, ok := item.(map[string]any); ok {
						total += actual(schema, sel.SelectionSet, m)
					}
				}
			}
		case *ast.InlineFragment:
			total += actual(schema, sel.SelectionSet, data)
		case *ast.FragmentSpread:
			if sel.Definition != nil {
				total += actual(schema, sel.Definition.SelectionSet, data)
			}
		}
	}
	return total
}

// composite reports whether a field of type t costs a point: an object,
// an interface or a union (or a list of them).
func composite(schema *ast.Schema, t *ast.Type) bool {
	def := schema.Types[t.Name()]
	if def == nil {
		return false
	}
	switch def.Kind {
	case ast.Object, ast.Interface, ast.Union:
		return true
	}
	return false
}

// pageSize is the page a connection's arguments ask for.
func pageSize(args map[string]any) float64 {
	for _, name := range []string{"first", "last"} {
		switch n := args[name].(type) {
		case int64:
			return float64(max(n, 0))
		case int:
			return float64(max(n, 0))
		case float64:
			return max(n, 0)
		}
	}
	return DefaultPageSize
}

func clamp(f float64) int {
	if f > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(f)
}
