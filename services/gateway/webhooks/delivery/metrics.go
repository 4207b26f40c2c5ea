package delivery

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The outcomes an attempt is counted under.
const (
	outcomeSucceeded = "succeeded" // 2xx
	outcomeRetrying  = "retrying"  // failed, to be tried again
	outcomeThrottled = "throttled" // 429, 502 or 504: retried, the subscription throttled
	outcomeFailed    = "failed"    // failed, the schedule exhausted
	outcomeGone      = "gone"      // 410: the subscription disabled
)

// metrics are a Dispatcher's counters; a nil *metrics counts nothing.
type metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
}

// newMetrics registers the delivery metrics with reg; nil without one.
func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome (succeeded, retrying, throttled, failed, gone).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "rapport_webhook_delivery_latency_seconds",
			Help:    "Time from an event to its successful delivery to a webhook endpoint.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600},
		}),
	}
	reg.MustRegister(m.attempts, m.latency)
	return m
}

// attempt counts an attempt's outcome.
func (m *metrics) attempt(outcome string) {
	if m != nil {
		m.attempts.WithLabelValues(outcome).Inc()
	}
}

// delivered observes the latency of a delivery from its event.
func (m *metrics) delivered(since time.Duration) {
	if m != nil {
		m.latency.Observe(since.Seconds())
	}
}
