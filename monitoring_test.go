package splitpay_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/splitpay/splitpay/internal/metrics"
)

// docker-compose.yml runs Prometheus on SplitPay's alerting rules and Grafana on its dashboard: the files exist
// where the services mount them, Prometheus scrapes the worker's and the API's /metrics, `promtool` accepts the
// rules and the configuration, and every splitpay_* series the rules and the dashboard read is one SplitPay
// registers.
func TestMonitoringFiles(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"worker", "api"} {
		if got := env(c.Services[name], "SPLITPAY_METRICS_ADDR"); got != "0.0.0.0:9464" {
			t.Errorf("service %s SPLITPAY_METRICS_ADDR = %q, want 0.0.0.0:9464 (Prometheus scrapes it)", name, got)
		}
	}
	for name, mounts := range map[string][]string{
		"prometheus": {"/etc/prometheus/prometheus.yml", "/etc/prometheus/alerts.yml"},
		"grafana":    {"/etc/grafana/provisioning", "/var/lib/grafana/dashboards"},
	} {
		s, ok := c.Services[name]
		if !ok || !strings.Contains(s.Image, ":") || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("service %s: missing or not pinned (%q)", name, s.Image)
			continue
		}
		for _, target := range mounts {
			i := slices.IndexFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Target == target })
			if i < 0 {
				t.Errorf("service %s does not mount %s", name, target)
			} else if _, err := os.Stat(s.Volumes[i].Source); err != nil {
				t.Errorf("service %s mounts %s from %s: %v", name, target, s.Volumes[i].Source, err)
			}
		}
	}
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			StaticConfigs []struct{ Targets []string } `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	raw, _ := os.ReadFile("deploy/prometheus/prometheus.yml")
	if err := yaml.Unmarshal(raw, &prom); err != nil || len(prom.ScrapeConfigs) == 0 ||
		len(prom.ScrapeConfigs[0].StaticConfigs) == 0 ||
		!slices.Equal(prom.ScrapeConfigs[0].StaticConfigs[0].Targets, []string{"worker:9464", "api:9464"}) {
		t.Errorf("prometheus.yml scrapes %+v (%v)", prom, err)
	}
	promtool(t)
	seriesAreSplitPays(t)
}

// promtool checks the rules and the configuration with Prometheus's own tool (Debian's prometheus package, which
// scripts/test installs).
func promtool(t *testing.T) {
	if _, err := exec.LookPath("promtool"); err != nil {
		if os.Getenv("SPLITPAY_REQUIRE_STACK") == "1" {
			t.Fatal("promtool is not installed (scripts/test installs Debian's prometheus package)")
		}
		t.Log("promtool is not installed: the rules are not checked by it")
		return
	}
	for _, args := range [][]string{{"check", "rules", "deploy/prometheus/alerts.yml"},
		{"check", "config", "deploy/prometheus/prometheus.yml"}} {
		if out, err := exec.Command("promtool", args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

// seriesAreSplitPays: each splitpay_* name in the alerting rules and the dashboard's queries is registered.
func seriesAreSplitPays(t *testing.T) {
	known := metrics.New().Names()
	rules, _ := os.ReadFile("deploy/prometheus/alerts.yml")
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	raw, _ := os.ReadFile("deploy/grafana/dashboards/splitpay.json")
	if err := json.Unmarshal(raw, &dash); err != nil || len(dash.Panels) == 0 {
		t.Fatalf("the dashboard: %v", err)
	}
	text := string(rules)
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 || p.Targets[0].Expr == "" {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			text += "\n" + q.Expr
		}
	}
	for _, name := range regexp.MustCompile(`splitpay_\w+`).FindAllString(text, -1) {
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")
		if !slices.Contains(known, base) {
			t.Errorf("%s is not a series SplitPay registers (%v)", name, known)
		}
	}
}
