package gqlschema_test

import (
	"os"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kiteconsole/kiteconsole/api/gqlschema"
)

// published is Buildkite's published schema, as ../shared/spec keeps it
// (copied unchanged into testdata, so that the repository's tests stand on
// their own).
func published(t testing.TB) *ast.Schema {
	t.Helper()
	src, err := os.ReadFile("testdata/buildkite-schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "buildkite-schema.graphql", Input: string(src)})
	if err != nil {
		t.Fatalf("the published schema does not load: %v", err)
	}
	return s
}

// TestSubsetMatchesThePublishedSchema checks every type, field, argument,
// union member and enum value of the subset the console uses (and the
// sandbox serves) against Buildkite's published schema, with the same
// kind, type and default.
func TestSubsetMatchesThePublishedSchema(t *testing.T) {
	pub := published(t)
	CheckSubset(t, gqlschema.Schema(), pub)
}

// CheckSubset reports every way sub is not a part of pub.
func CheckSubset(t testing.TB, sub, pub *ast.Schema) {
	t.Helper()
	for name, def := range sub.Types {
		if def.BuiltIn {
			continue
		}
		want := pub.Types[name]
		if want == nil {
			t.Errorf("type %s is not in the published schema", name)
			continue
		}
		if def.Kind != want.Kind {
			t.Errorf("type %s is a %s, published as a %s", name, def.Kind, want.Kind)
			continue
		}
		for _, f := range def.Fields {
			if f.Name == "__typename" || f.Name == "__schema" || f.Name == "__type" {
				continue
			}
			pf := want.Fields.ForName(f.Name)
			if pf == nil {
				t.Errorf("%s.%s is not in the published schema", name, f.Name)
				continue
			}
			if f.Type.String() != pf.Type.String() {
				t.Errorf("%s.%s is %s, published as %s", name, f.Name, f.Type, pf.Type)
			}
			for _, a := range f.Arguments {
				pa := pf.Arguments.ForName(a.Name)
				if pa == nil {
					t.Errorf("%s.%s(%s:) is not in the published schema", name, f.Name, a.Name)
					continue
				}
				if a.Type.String() != pa.Type.String() {
					t.Errorf("%s.%s(%s:) is %s, published as %s", name, f.Name, a.Name, a.Type, pa.Type)
				}
				if a.DefaultValue.String() != pa.DefaultValue.String() {
					t.Errorf("%s.%s(%s:) defaults to %s, published as %s", name, f.Name, a.Name, a.DefaultValue, pa.DefaultValue)
				}
			}
		}
		for _, v := range def.EnumValues {
			if want.EnumValues.ForName(v.Name) == nil {
				t.Errorf("enum %s has no value %s in the published schema", name, v.Name)
			}
		}
		for _, member := range def.Types {
			if !slices.Contains(want.Types, member) {
				t.Errorf("union %s has no member %s in the published schema", name, member)
			}
		}
	}
	if sub.Query == nil || pub.Query == nil || sub.Query.Name != pub.Query.Name {
		t.Errorf("the query type differs from the published one")
	}
}

// TestTheCheckFindsADifference makes sure the check above is not vacuous:
// a subset that types a field, an argument or an enum differently from
// the published schema is reported.
func TestTheCheckFindsADifference(t *testing.T) {
	pub := published(t)
	for _, bad := range []string{
		"type Query { organization(slug: ID, uuid: ID): Organization } type Organization { slug: ID! }",
		"type Query { organization(slug: String, uuid: ID): Organization } type Organization { slug: String! }",
		"type Query { organization(slug: ID, uuid: ID): Organization } type Organization { slug: String! } enum JobStates { QUEUED }",
		"type Query { organization(slug: ID, uuid: ID): Organization } type Organization { slug: String! count: Int }",
	} {
		sub, err := gqlparser.LoadSchema(&ast.Source{Input: bad})
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{TB: t}
		CheckSubset(rec, sub, pub)
		if rec.errors == 0 {
			t.Errorf("no difference found in %q", bad)
		}
	}
}

type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Helper()               {}
