package pipeline

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestOutcomesListed checks Outcomes and DigestActions list every constant
// of their type declared in the package: a new one added without its list
// entry would have no metrics series until it first happened.
func TestOutcomesListed(t *testing.T) {
	declared := declaredConsts(t)
	for _, tc := range []struct {
		typ    string
		listed []string
	}{
		{"Outcome", stringsOf(Outcomes())},
		{"DigestAction", stringsOf(DigestActions())},
	} {
		got, want := slices.Sorted(slices.Values(tc.listed)), slices.Sorted(slices.Values(declared[tc.typ]))
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: listed %q, declared %q", tc.typ, got, want)
		}
	}
}

func stringsOf[S ~string](v []S) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}

// declaredConsts maps a type name to the values of the string constants
// the package's non-test files declare of that type.
func declaredConsts(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: a %s constant that is not a string literal", fset.Position(v.Pos()), id.Name)
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[id.Name] = append(out[id.Name], s)
				}
			}
		}
	}
	return out
}
