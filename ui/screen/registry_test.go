package screen

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// stillShared are identifiers of one screen file that another may use
// both ways: none. Shared labels live in ui/present, changes in
// ui/actions, and a screen opens another through the registry; an entry
// added here to let a cycle through is reported once it no longer ties
// two files.
var stillShared = map[string]bool{}

// refs is which identifiers each screen file uses from each other one.
func refs(t *testing.T) (map[[2]string][]string, *types.Info, *token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// Imports are not read: what this package declares resolves without
	// them (the errors are about what other packages declare), and
	// type-checking bubbletea and the rest from source takes half a
	// minute.
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: noImports{}, Error: func(error) {}}
	pkg, _ := conf.Check("screen", fset, files, info)
	uses := map[[2]string][]string{}
	for id, obj := range info.Uses {
		if obj.Pkg() != pkg || !declaredAtTop(pkg, obj) {
			continue
		}
		from, to := fset.Position(id.Pos()).Filename, fset.Position(obj.Pos()).Filename
		if from != to {
			e := [2]string{from, to}
			if !slices.Contains(uses[e], obj.Name()) {
				uses[e] = append(uses[e], obj.Name())
			}
		}
	}
	return uses, info, fset, files
}

// declaredAtTop: a package-level name, or a method or field of one.
func declaredAtTop(pkg *types.Package, obj types.Object) bool {
	switch o := obj.(type) {
	case *types.Func:
		return o.Signature().Recv() != nil || o.Parent() == pkg.Scope()
	case *types.Var:
		return o.IsField() || o.Parent() == pkg.Scope()
	}
	return obj.Parent() == pkg.Scope()
}

type noImports struct{}

func (noImports) Import(string) (*types.Package, error) { return nil, errors.New("not read") }

// No two screen files use each other: a screen opens another through
// the registry, so the dependency runs one way (issue 26).
func TestNoTwoScreenFilesUseEachOther(t *testing.T) {
	uses, _, _, _ := refs(t)
	stillUsed := map[string]bool{}
	var cycles []string
	for e, ids := range uses {
		back, ok := uses[[2]string{e[1], e[0]}]
		if !ok || e[0] > e[1] {
			continue
		}
		var left []string
		for _, id := range append(slices.Clone(ids), back...) {
			if stillShared[id] {
				stillUsed[id] = true
			} else {
				left = append(left, id)
			}
		}
		if len(left) > 0 {
			sort.Strings(ids)
			sort.Strings(back)
			cycles = append(cycles, e[0]+" uses "+strings.Join(ids, ", ")+" of "+e[1]+", which uses "+strings.Join(back, ", "))
		}
	}
	sort.Strings(cycles)
	for _, c := range cycles {
		t.Error(c)
	}
	for id := range stillShared {
		if !stillUsed[id] {
			t.Errorf("%s no longer ties two screen files: delete it from stillShared", id)
		}
	}
}

// Every screen a screen file opens by name is registered, and opens on
// the type it is given: a typo would otherwise be found only when a
// person presses the key.
func TestScreensOpenRegisteredScreensOnTheirType(t *testing.T) {
	_, info, fset, files := refs(t)
	opened := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn, ok := call.Fun.(*ast.Ident)
			if !ok || fn.Name != "Open" || len(call.Args) != 3 {
				return true
			}
			at := fset.Position(call.Pos())
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok {
				t.Errorf("%s: a screen is opened by a name that is not a literal", at)
				return true
			}
			name, _ := strconv.Unquote(lit.Value)
			e, ok := registry[name]
			if !ok {
				t.Errorf("%s: no screen %q is registered", at, name)
				return true
			}
			opened++
			typ := info.TypeOf(call.Args[2])
			if typ == nil || typ == types.Typ[types.Invalid] {
				return true // of another package, which is not read: checked when it runs
			}
			if got := types.TypeString(typ, nil); !strings.HasSuffix(got, "."+e.Arg().Name()) {
				t.Errorf("%s: %q opens on a %v, given a %s", at, name, e.Arg(), got)
			}
			return true
		})
	}
	if opened == 0 {
		t.Fatal("no call of Open found")
	}
}
