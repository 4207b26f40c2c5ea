// Package obs holds what every Rapport process exposes about itself: structured
// JSON logs (NewLogger), Prometheus metrics on a private registry (Metrics),
// liveness and readiness endpoints (Health), and a mux mounting /healthz,
// /readyz and /metrics (Mux).
//
// The metric names are part of the platform's contract with dashboards and
// alerts; they are declared once, in metrics.go.
package obs
