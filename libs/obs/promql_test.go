package obs_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// externalMetrics are the series the dashboards and rules may query that no
// code of libs registers, with where they come from.
var externalMetrics = map[string]string{
	"up": "Prometheus, one per scrape target",
	"certmanager_certificate_expiration_timestamp_seconds": "cert-manager",
	"controller_runtime_reconcile_total":                   "controller-runtime, in the operator",
	"controller_runtime_reconcile_errors_total":            "controller-runtime, in the operator",
}

// registeredMetrics returns the names of every series a Rapport program's
// registry exposes: obs.NewMetrics with a pool watched and the gateway's
// metrics, every vector given a child so that it is gathered. A histogram
// gives its _bucket, _count and _sum series.
func registeredMetrics(t *testing.T) map[string]bool {
	t.Helper()
	m := obs.NewMetrics("contacts")
	db, err := pg.Open("postgres://unused@127.0.0.1:1/unused", pg.Options{}) // never connects
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m.WatchPool(db.DB, "contacts")
	obs.NewGatewayMetrics(m)
	m.InstrumentMux(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	m.OutboxBacklog(0)
	m.Published(1)
	m.ConsumerLag("t", "g", 0)
	m.TopicMissing("t", "g", false)
	m.DeadLettered("t")

	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			names[f.GetName()+"_bucket"] = true
			names[f.GetName()+"_count"] = true
			names[f.GetName()+"_sum"] = true
		case dto.MetricType_SUMMARY:
			names[f.GetName()] = true
			names[f.GetName()+"_count"] = true
			names[f.GetName()+"_sum"] = true
		default:
			names[f.GetName()] = true
		}
	}
	for name := range externalMetrics {
		names[name] = true
	}
	return names
}

// grafanaDurations are Grafana's interval variables, which stand where
// PromQL wants a duration.
var grafanaDurations = regexp.MustCompile(`\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}`)

// metricsOf parses expr with Prometheus's PromQL parser (Grafana's interval
// variables taken as 5m; other variables stand inside label values) and
// returns the metric names its selectors name.
func metricsOf(expr string) ([]string, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(grafanaDurations.ReplaceAllString(expr, "5m"))
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch s := n.(type) {
		case *parser.VectorSelector:
			names = append(names, s.Name)
		case *parser.MatrixSelector:
			if vs, ok := s.VectorSelector.(*parser.VectorSelector); ok {
				names = append(names, vs.Name)
			}
		}
		return nil
	})
	slices.Sort(names)
	return slices.Compact(names), nil
}

// unknownMetrics returns the metric names expr queries that known lacks
// (a selector without a name counts as unknown, as "").
func unknownMetrics(expr string, known map[string]bool) ([]string, error) {
	names, err := metricsOf(expr)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, n := range names {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	return unknown, nil
}

// TestUnknownMetrics checks the check itself: a renamed metric and a query
// Prometheus cannot parse are reported, Grafana's variables are not.
func TestUnknownMetrics(t *testing.T) {
	known := registeredMetrics(t)
	for _, want := range []string{"rapport_http_request_duration_seconds_bucket", "go_sql_wait_count_total",
		"rapport_gateway_logins_total", "rapport_consumer_lag", "process_cpu_seconds_total"} {
		if !known[want] {
			t.Errorf("registered metrics lack %s", want)
		}
	}
	got, err := unknownMetrics(`sum by (service) (rate(rapport_outbox_published{namespace=~"$namespace"}[$__rate_interval])) / on () group_left up`, known)
	if err != nil || !slices.Equal(got, []string{"rapport_outbox_published"}) {
		t.Errorf("unknownMetrics = %q, %v; want the renamed rapport_outbox_published alone", got, err)
	}
	if _, err := unknownMetrics(`rate(rapport_events_dlq_total)`, known); err == nil || !strings.Contains(err.Error(), "range vector") {
		t.Errorf("a rate() of an instant vector parsed: %v", err)
	}
}
