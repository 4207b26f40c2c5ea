package obs

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's set of Prometheus metrics, on its own registry
// (never the global one, so tests and several instances in one process do not
// collide). Every rapport_* series carries a constant "service" label.
//
// All methods are safe for concurrent use. A nil *Metrics is valid and records
// nothing, so libraries can take an optional *Metrics.
type Metrics struct {
	reg     *prometheus.Registry
	service string

	httpDuration    *prometheus.HistogramVec
	outboxBacklog   prometheus.Gauge
	outboxPublished prometheus.Counter
	consumerLag     *prometheus.GaugeVec
	topicMissing    *prometheus.GaugeVec
	deadLettered    *prometheus.CounterVec
}

// NewMetrics creates the registry for service with the Go runtime and process
// collectors and the platform's metrics registered.
func NewMetrics(service string) *Metrics {
	reg := prometheus.NewRegistry()
	labels := prometheus.Labels{"service": service}
	m := &Metrics{
		reg:     reg,
		service: service,
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:        "rapport_http_request_duration_seconds",
			Help:        "Duration of HTTP requests by route template, method and status code.",
			ConstLabels: labels,
			Buckets:     []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		outboxBacklog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name:        "rapport_outbox_backlog",
			Help:        "Outbox rows waiting to be published, as last seen by the relay.",
			ConstLabels: labels,
		}),
		outboxPublished: prometheus.NewCounter(prometheus.CounterOpts{
			Name:        "rapport_outbox_published_total",
			Help:        "Outbox events published to Kafka.",
			ConstLabels: labels,
		}),
		consumerLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name:        "rapport_consumer_lag",
			Help:        "Records between the group's committed offset and the end of the topic, summed over partitions.",
			ConstLabels: labels,
		}, []string{"topic", "group"}),
		topicMissing: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name:        "rapport_consumer_topic_missing",
			Help:        "1 while a topic a consumer group reads does not exist (the group consumes the others and looks again), else 0.",
			ConstLabels: labels,
		}, []string{"topic", "group"}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "rapport_events_dlq_total",
			Help:        "Events sent to the dead-letter topic after failed handling, by source topic.",
			ConstLabels: labels,
		}, []string{"topic"}),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpDuration, m.outboxBacklog, m.outboxPublished, m.consumerLag, m.topicMissing, m.deadLettered,
	)
	return m
}

// Registry returns the registry, for a service that registers metrics of its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format (mount it at
// /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// OutboxBacklog records how many outbox rows are waiting to be published. The
// outbox relay calls it after each poll.
func (m *Metrics) OutboxBacklog(n int) {
	if m == nil {
		return
	}
	m.outboxBacklog.Set(float64(n))
}

// Published counts n outbox events published to Kafka. The outbox relay calls
// it after each successful batch.
func (m *Metrics) Published(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.outboxPublished.Add(float64(n))
}

// ConsumerLag records the consumer group's lag on topic, in records. The
// event consumer calls it as it learns the high watermarks.
func (m *Metrics) ConsumerLag(topic, group string, lag int64) {
	if m == nil {
		return
	}
	m.consumerLag.WithLabelValues(topic, group).Set(float64(lag))
}

// TopicMissing records whether topic, which the consumer group reads, does
// not exist (yet). The event consumer calls it each time it looks.
func (m *Metrics) TopicMissing(topic, group string, missing bool) {
	if m == nil {
		return
	}
	v := 0.0
	if missing {
		v = 1
	}
	m.topicMissing.WithLabelValues(topic, group).Set(v)
}

// DeadLettered counts one event from topic sent to its dead-letter topic.
func (m *Metrics) DeadLettered(topic string) {
	if m == nil {
		return
	}
	m.deadLettered.WithLabelValues(topic).Inc()
}
