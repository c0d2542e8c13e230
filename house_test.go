package splitpay_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// House rules a newcomer can rely on, checked on every run (docs/architecture.md says why):
//   - no source file over 400 lines (tests and generated code aside), and no function over 60 lines, tests
//     included (generated code aside);
//   - the layering: api does not reach into the ledger, the starter is a Temporal client (neither the
//     activities nor the ledger), and workflows import no I/O.
const (
	maxFileLines = 400
	maxFuncLines = 60
)

func goSources(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" ||
			d.Name() == "testdata" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".gen.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestFilesAndFunctionsStaySmall(t *testing.T) {
	fset := token.NewFileSet()
	for _, path := range goSources(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(src), "\n"); n > maxFileLines && !strings.HasSuffix(path, "_test.go") {
			t.Errorf("%s: %d lines, over %d: split it by role", path, n, maxFileLines)
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			switch x := n.(type) {
			case *ast.FuncDecl:
				body = x.Body
			case *ast.FuncLit:
				body = x.Body
			}
			if body != nil {
				start, end := fset.Position(n.Pos()), fset.Position(body.End())
				if lines := end.Line - start.Line + 1; lines > maxFuncLines {
					t.Errorf("%s:%d: a function of %d lines, over %d", path, start.Line, lines, maxFuncLines)
				}
			}
			return true
		})
	}
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/splitpay/splitpay/"
	forbidden := map[string][]string{
		mod + "api":     {mod + "ledger", mod + "activities"},
		mod + "starter": {mod + "ledger", mod + "activities"},
		mod + "cart":    {mod + "ledger", mod + "activities"},
		// Workflows speak the channels' neutral contract, never an adapter; the contract does no I/O.
		mod + "workflows": {"net/http", "database/sql", "os", "github.com/jackc/pgx/v5", mod + "channels/", mod + "ledger"},
		mod + "channels":  {"net/http", mod + "channels/", mod + "ledger", mod + "workflows"},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		for _, imp := range strings.Fields(imports) {
			for _, bad := range forbidden[pkg] {
				if importsBad(imp, bad) {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
		}
	}
}

// importsBad says whether imp is bad: the package itself or one under it, or, for a bad ending in "/", only one
// under it.
func importsBad(imp, bad string) bool {
	if strings.HasSuffix(bad, "/") {
		return strings.HasPrefix(imp, bad)
	}
	return imp == bad || strings.HasPrefix(imp, bad+"/")
}
