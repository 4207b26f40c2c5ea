package events

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/ids"
)

// SpecVersion is the CloudEvents version of every Rapport event.
const SpecVersion = "1.0"

// Kafka header names of the binary content mode.
const (
	HeaderSpecVersion = "ce_specversion"
	HeaderID          = "ce_id"
	HeaderSource      = "ce_source"
	HeaderType        = "ce_type"
	HeaderTime        = "ce_time"
	HeaderSubject     = "ce_subject"
	HeaderTenantID    = "ce_tenantid"
	// HeaderTraceParent is the CloudEvents distributed tracing extension:
	// the W3C traceparent of the change that caused the event, when it was
	// traced (trace.go).
	HeaderTraceParent = "ce_traceparent"
	HeaderContentType = "content-type"
	// HeaderError and HeaderAttempts are added to dead-lettered records.
	HeaderError    = "x-rapport-error"
	HeaderAttempts = "x-rapport-attempts"
	HeaderOrigin   = "x-rapport-origin-topic"
)

// Event is one CloudEvent. Data is the JSON payload: the entity's full state
// after the change (plus "changed" on updates).
type Event struct {
	ID       string          `json:"id"`
	Source   string          `json:"source"`
	Type     string          `json:"type"`
	Subject  string          `json:"subject"`
	TenantID string          `json:"tenantId"`
	Time     time.Time       `json:"time"`
	Data     json.RawMessage `json:"data"`
	// TraceParent is the W3C traceparent of the span the event was added
	// to the outbox in (outbox.Add sets it), empty when that was not traced.
	TraceParent string `json:"traceparent,omitempty"`
}

// New builds an event with a fresh UUIDv7 id and the current time. source is
// "/rapport/<service>", typ "dev.rapport.<context>.<entity>.<verb>.v1",
// subject the entity id (also the record key), data anything JSON-encodable.
func New(source, typ, subject, tenantID string, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("events: encode %s: %w", typ, err)
	}
	return Event{
		ID: ids.New(), Source: source, Type: typ, Subject: subject,
		TenantID: tenantID, Time: time.Now().UTC(), Data: raw,
	}, nil
}

// Message returns the Kafka record of e for topic: key = subject, value =
// data, CloudEvents attributes as ce_* headers (ce_traceparent only when
// e has one).
func (e Event) Message(topic string) kafka.Message {
	m := kafka.Message{
		Topic: topic,
		Key:   []byte(e.Subject),
		Value: e.Data,
		Headers: []kafka.Header{
			{Key: HeaderSpecVersion, Value: []byte(SpecVersion)},
			{Key: HeaderID, Value: []byte(e.ID)},
			{Key: HeaderSource, Value: []byte(e.Source)},
			{Key: HeaderType, Value: []byte(e.Type)},
			{Key: HeaderTime, Value: []byte(e.Time.UTC().Format(time.RFC3339Nano))},
			{Key: HeaderSubject, Value: []byte(e.Subject)},
			{Key: HeaderTenantID, Value: []byte(e.TenantID)},
			{Key: HeaderContentType, Value: []byte("application/json")},
		},
	}
	if e.TraceParent != "" {
		m.Headers = append(m.Headers, kafka.Header{Key: HeaderTraceParent, Value: []byte(e.TraceParent)})
	}
	return m
}

// Parse reads a binary-mode record back into an Event, checking that every
// required attribute is present and well formed. ce_traceparent is kept as
// it is: tracing reads it, and a malformed one only starts a new trace.
func Parse(m kafka.Message) (Event, error) {
	h := map[string]string{}
	for _, kv := range m.Headers {
		h[kv.Key] = string(kv.Value)
	}
	if v := h[HeaderSpecVersion]; v != SpecVersion {
		return Event{}, fmt.Errorf("events: %s is %q, want %q", HeaderSpecVersion, v, SpecVersion)
	}
	for _, k := range []string{HeaderID, HeaderSource, HeaderType, HeaderTime} {
		if h[k] == "" {
			return Event{}, fmt.Errorf("events: header %s missing", k)
		}
	}
	if !ids.Valid(h[HeaderID]) {
		return Event{}, fmt.Errorf("events: %s %q is not a UUID", HeaderID, h[HeaderID])
	}
	if t := h[HeaderTenantID]; t != "" {
		if !ids.Valid(t) {
			return Event{}, fmt.Errorf("events: %s %q is not a UUID", HeaderTenantID, t)
		}
	}
	ts, err := time.Parse(time.RFC3339Nano, h[HeaderTime])
	if err != nil {
		return Event{}, fmt.Errorf("events: %s: %w", HeaderTime, err)
	}
	if ct := h[HeaderContentType]; ct != "" && ct != "application/json" {
		return Event{}, fmt.Errorf("events: content-type %q, want application/json", ct)
	}
	if !json.Valid(m.Value) {
		return Event{}, fmt.Errorf("events: value of %s is not JSON", h[HeaderID])
	}
	return Event{
		ID: h[HeaderID], Source: h[HeaderSource], Type: h[HeaderType], Subject: h[HeaderSubject],
		TenantID: h[HeaderTenantID], Time: ts, Data: json.RawMessage(m.Value), TraceParent: h[HeaderTraceParent],
	}, nil
}
