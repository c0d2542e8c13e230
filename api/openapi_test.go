package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every route is in the OpenAPI document with its method, and the document names no route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v (version %q)", err, doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, r := range routes {
		method, path, _ := strings.Cut(r.pattern, " ")
		paths := r.documented
		if paths == nil {
			paths = []string{path}
		}
		for _, path := range paths {
			served[strings.ToLower(method)+" "+path] = true
			if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
				t.Errorf("route %s (%s) is not in openapi.json", r.pattern, path)
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" && !served[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not served", method, path)
			}
		}
	}
}
