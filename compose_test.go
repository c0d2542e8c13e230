package splitpay_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/splitpay/splitpay/workflows"
)

// loadCompose loads docker-compose.yml with compose-go, the Compose Specification's own loader: it interpolates,
// normalises and validates against the specification's schema, so a file `docker compose up` would refuse fails
// here.
func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{WorkingDir: wd,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(wd, "docker-compose.yml")}},
		Environment: types.Mapping{}}, func(o *loader.Options) { o.SetProjectName("splitpay", true) })
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// env is a service's environment variable ("" when unset).
func env(s types.ServiceConfig, name string) string {
	if v := s.Environment[name]; v != nil {
		return *v
	}
	return ""
}

func TestComposeServicesAndWiring(t *testing.T) {
	c := loadCompose(t)
	images := map[string]string{
		"postgres":                   "postgres:",
		"temporal":                   "temporalio/auto-setup:",
		"temporal-search-attributes": "temporalio/admin-tools:",
		"temporal-ui":                "temporalio/ui:",
	}
	for name, prefix := range images {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("service %s missing", name)
			continue
		}
		if !strings.HasPrefix(s.Image, prefix) || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("service %s image %q: want a pinned %s… image", name, s.Image, prefix)
		}
	}
	for _, name := range []string{"migrate", "worker", "api"} {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("service %s missing", name)
			continue
		}
		if s.Build == nil {
			t.Errorf("service %s is not built from the Dockerfile", name)
		}
		if len(s.Command) == 0 || s.Command[0] != name {
			t.Errorf("service %s runs %v, want the `splitpay %s` subcommand", name, s.Command, name)
		}
		if got := env(s, "TEMPORAL_ADDRESS"); got != "temporal:7233" {
			t.Errorf("service %s TEMPORAL_ADDRESS = %q", name, got)
		}
		if got := env(s, "DATABASE_URL"); !strings.Contains(got, "@postgres:5432/") {
			t.Errorf("service %s DATABASE_URL = %q does not point at the postgres service", name, got)
		}
	}
	if dep := c.Services["worker"].DependsOn["migrate"].Condition; dep != "service_completed_successfully" {
		t.Errorf("worker must wait for migrations, depends_on condition = %q", dep)
	}
	if got := env(c.Services["api"], "SPLITPAY_API_ADDR"); got != "0.0.0.0:8080" {
		t.Errorf("api inside its container must listen on all interfaces, got %q", got)
	}
	if got := env(c.Services["temporal-ui"], "TEMPORAL_ADDRESS"); got != "temporal:7233" {
		t.Errorf("temporal-ui TEMPORAL_ADDRESS = %q", got)
	}

}

// Every published port is on loopback, and the ones users open are published.
func TestComposePublishesOnLoopbackOnly(t *testing.T) {
	c := loadCompose(t)
	wantPorts := map[string]string{"postgres": "5432", "temporal": "7233", "temporal-ui": "8233", "api": "8080",
		"prometheus": "9090", "grafana": "3000"}
	for name, host := range wantPorts {
		ports := c.Services[name].Ports
		if !slices.ContainsFunc(ports, func(p types.ServicePortConfig) bool {
			return p.HostIP == "127.0.0.1" && p.Published == host
		}) {
			t.Errorf("service %s ports %+v: want %s published on 127.0.0.1 only", name, ports, host)
		}
	}
	for name, s := range c.Services {
		for _, p := range s.Ports {
			if p.HostIP != "127.0.0.1" {
				t.Errorf("service %s publishes %+v beyond loopback", name, p)
			}
		}
	}
}

// The search attributes the workflows set must be the ones both stacks register.
func TestSearchAttributesRegisteredEverywhere(t *testing.T) {
	want := map[string]string{}
	for _, k := range workflows.SearchAttributes {
		want[k.GetName()] = cliTypeName(k)
	}

	script, err := os.ReadFile("scripts/devstack")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range regexp.MustCompile(`(SplitPay\w+)=(\w+)`).FindAllStringSubmatch(string(script), -1) {
		got[m[1]] = m[2]
	}
	if !mapsEqual(got, want) {
		t.Errorf("scripts/devstack registers %v, workflows define %v", got, want)
	}

	raw, _ := os.ReadFile("docker-compose.yml")
	got = map[string]string{}
	for _, m := range regexp.MustCompile(`--name (SplitPay\w+) --type (\w+)`).FindAllStringSubmatch(string(raw), -1) {
		got[m[1]] = m[2]
	}
	if !mapsEqual(got, want) {
		t.Errorf("docker-compose.yml registers %v, workflows define %v", got, want)
	}
}

// cliTypeName maps the API enum (IndexedValueType) to the type name the CLI and compose file use.
func cliTypeName(k temporal.SearchAttributeKey) string {
	switch k.GetValueType() {
	case enums.INDEXED_VALUE_TYPE_KEYWORD:
		return "Keyword"
	case enums.INDEXED_VALUE_TYPE_KEYWORD_LIST:
		return "KeywordList"
	case enums.INDEXED_VALUE_TYPE_INT:
		return "Int"
	case enums.INDEXED_VALUE_TYPE_DATETIME:
		return "Datetime"
	}
	return k.GetValueType().String()
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
