// Package obs holds what every Rapport process exposes about itself: structured
// JSON logs (NewLogger), Prometheus metrics on a private registry (Metrics),
// liveness and readiness endpoints (Health), and a mux mounting /healthz,
// /readyz and /metrics (Mux).
//
// The metric names are part of the platform's contract with dashboards and
// alerts; they are declared once: metrics.go (every program's), dbpool.go
// (the PostgreSQL pool's go_sql_* series) and gateway.go (the gateway's own).
// TestDashboardsAndAlertsQueryKnownMetrics checks that the chart's dashboards
// and alert rules query no other (docs/operations.md lists them).
package obs
