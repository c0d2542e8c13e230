// Package metrics is SplitPay's Prometheus registry: the Temporal SDK's own metrics (through its tally
// handler) and SplitPay's — notifications, every activity (the channel calls and the ledger postings) with its
// outcome, latency and money, and the processes by status read from visibility. Labels stay low-cardinality:
// channels, activity names, outcome codes and statuses, never an order number or a merchant id.
package metrics

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Metrics holds the registry and SplitPay's series. A nil *Metrics records nothing.
type Metrics struct {
	reg           *prometheus.Registry
	sdk           client.MetricsHandler
	closer        io.Closer
	notifications *prometheus.CounterVec
	activities    *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	money         *prometheus.CounterVec
	processes     *prometheus.GaugeVec
	alerts        *prometheus.CounterVec
}

// New makes a registry with the Go runtime's and the process's collectors, the SDK's handler, and SplitPay's series.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  tallyprom.NewReporter(tallyprom.Options{Registerer: reg}),
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	m := &Metrics{reg: reg, sdk: sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)), closer: closer,
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "splitpay_notifications_total",
			Help: "Channel notifications received, by channel, kind and result (verified, duplicate, forged: <reason>)."},
			[]string{"channel", "kind", "result"}),
		activities: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "splitpay_activities_total",
			Help: "Activity attempts — channel calls and ledger postings — by activity, channel and outcome (ok, or the error type)."},
			[]string{"activity", "channel", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "splitpay_activity_duration_seconds",
			Help:    "How long an activity attempt took, by activity and channel.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
			[]string{"activity", "channel"}),
		money: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "splitpay_money_fen_total",
			Help: "Money through each step (fen): the amount of every activity that succeeded, by activity and channel."},
			[]string{"activity", "channel"}),
		processes: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "splitpay_processes",
			Help: "Running processes by workflow type and SplitPayStatus, read from visibility."},
			[]string{"workflow_type", "status"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "splitpay_risk_alerts_total",
			Help: "Abnormal-transaction alerts raised, by kind (near_cap, refund_rate, forged_notifications, withdrawal_new_account)."},
			[]string{"kind"}),
	}
	reg.MustRegister(m.own()...)
	return m
}

// SDK is the handler to give the Temporal client (client.Options.MetricsHandler); nil for a nil *Metrics.
func (m *Metrics) SDK() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return m.sdk
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Close stops the SDK scope's reporting.
func (m *Metrics) Close() {
	if m != nil {
		_ = m.closer.Close()
	}
}

// Notification counts one notification and what came of it.
func (m *Metrics) Notification(channel, kind, result string) {
	if m != nil {
		m.notifications.WithLabelValues(channel, kind, result).Inc()
	}
}

// Serve listens on addr for /metrics until ctx ends.
func (m *Metrics) Serve(ctx context.Context, addr string, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("metrics", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}

// own are SplitPay's series.
func (m *Metrics) own() []prometheus.Collector {
	return []prometheus.Collector{m.notifications, m.activities, m.latency, m.money, m.processes, m.alerts}
}

// Names are the names of SplitPay's series (not the SDK's), for checking the alerting rules and the dashboard.
func (m *Metrics) Names() []string {
	var names []string
	for _, c := range m.own() {
		descs := make(chan *prometheus.Desc, 1)
		go func() { c.Describe(descs); close(descs) }()
		for d := range descs {
			if m := fqName.FindStringSubmatch(d.String()); m != nil {
				names = append(names, m[1])
			}
		}
	}
	return names
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// Alert counts an abnormal-transaction alert of kind.
func (m *Metrics) Alert(kind string) {
	if m != nil {
		m.alerts.WithLabelValues(kind).Inc()
	}
}
