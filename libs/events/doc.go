// Package events carries Rapport's domain events over Kafka: the CloudEvents
// 1.0 binary-mode envelope (DESIGN §5), topic names, a publisher, and a
// consumer-group runner that applies each event exactly once to the
// consumer's database through an inbox table. A service's Catalogue names
// the events it publishes and makes them (the entity's state, plus the
// fields an update changed, ChangedFields). An event's trace context
// travels in the CloudEvents tracing extension (ce_traceparent), and the
// consumer processes it in a child span of it (trace.go).
package events
