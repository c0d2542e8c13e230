package splitpay_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"gopkg.in/yaml.v3"

	"github.com/splitpay/splitpay/workflows"
)

// compose is the part of docker-compose.yml these tests read.
type compose struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Ports       []string          `yaml:"ports"`
		Environment map[string]string `yaml:"environment"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	raw, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	// depends_on is a list in one service and a map in others; normalise lists to maps first.
	var generic map[string]any
	if err := yaml.Unmarshal(raw, &generic); err != nil {
		t.Fatalf("docker-compose.yml is not valid YAML: %v", err)
	}
	for _, s := range generic["services"].(map[string]any) {
		svc := s.(map[string]any)
		if list, ok := svc["depends_on"].([]any); ok {
			m := map[string]any{}
			for _, name := range list {
				m[name.(string)] = map[string]any{"condition": "service_started"}
			}
			svc["depends_on"] = m
		}
	}
	norm, _ := yaml.Marshal(generic)
	var c compose
	if err := yaml.Unmarshal(norm, &c); err != nil {
		t.Fatalf("docker-compose.yml has an unexpected shape: %v", err)
	}
	return c
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
		if got := s.Environment["TEMPORAL_ADDRESS"]; got != "temporal:7233" {
			t.Errorf("service %s TEMPORAL_ADDRESS = %q", name, got)
		}
		if got := s.Environment["DATABASE_URL"]; !strings.Contains(got, "@postgres:5432/") {
			t.Errorf("service %s DATABASE_URL = %q does not point at the postgres service", name, got)
		}
	}
	if dep := c.Services["worker"].DependsOn["migrate"].Condition; dep != "service_completed_successfully" {
		t.Errorf("worker must wait for migrations, depends_on condition = %q", dep)
	}
	if got := c.Services["api"].Environment["SPLITPAY_API_ADDR"]; got != "0.0.0.0:8080" {
		t.Errorf("api inside its container must listen on all interfaces, got %q", got)
	}
	if got := c.Services["temporal-ui"].Environment["TEMPORAL_ADDRESS"]; got != "temporal:7233" {
		t.Errorf("temporal-ui TEMPORAL_ADDRESS = %q", got)
	}

}

// Every published port is on loopback, and the ones users open are published.
func TestComposePublishesOnLoopbackOnly(t *testing.T) {
	c := loadCompose(t)
	wantPorts := map[string]string{"postgres": "5432", "temporal": "7233", "temporal-ui": "8233", "api": "8080"}
	for name, host := range wantPorts {
		ports := c.Services[name].Ports
		if !slices.ContainsFunc(ports, func(p string) bool { return strings.HasPrefix(p, "127.0.0.1:"+host+":") }) {
			t.Errorf("service %s ports %v: want %s published on 127.0.0.1 only", name, ports, host)
		}
	}
	for name, s := range c.Services {
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("service %s publishes %q beyond loopback", name, p)
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
