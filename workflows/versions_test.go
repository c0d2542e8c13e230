package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every versioned change is asked for through process.version and listed in changes: GetVersion itself is
// called only in versions.go, so no change escapes the bundle.
func TestEveryChangeIsInTheBundle(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	asked := regexp.MustCompile(`\.version\(ctx, "([a-z-]+)"\)|\.local\(.*, "([a-z-]+)"\)`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "versions.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "workflow.GetVersion(") {
			t.Errorf("%s calls workflow.GetVersion: ask process.version, and list the change in versions.go", f)
		}
		for _, m := range asked.FindAllStringSubmatch(string(src), -1) {
			name := m[1] + m[2]
			seen[name] = true
			if _, ok := changes[name]; !ok {
				t.Errorf("%s asks for the change %q, which versions.go does not list", f, name)
			}
		}
	}
	for c := range changes {
		if !seen[c] {
			t.Errorf("versions.go lists %q, which no workflow asks for", c)
		}
	}
}
