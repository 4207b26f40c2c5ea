package events

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

func TestMessageCarriesCloudEventsBinaryMode(t *testing.T) {
	ev, err := New("/rapport/contacts", "dev.rapport.contacts.contact.created.v1", "0190a8f2-0000-7000-8000-000000000001",
		"0190a8f2-0000-7000-8000-0000000000aa", map[string]string{"id": "x"})
	if err != nil {
		t.Fatal(err)
	}
	m := ev.Message(Topic("", "contacts"))
	if got, want := m.Topic, "rapport.contacts.v1"; got != want {
		t.Errorf("topic: got %q, want %q", got, want)
	}
	if got, want := string(m.Key), ev.Subject; got != want {
		t.Errorf("key: got %q, want the subject %q", got, want)
	}
	want := map[string]string{
		"ce_specversion": "1.0", "ce_id": ev.ID, "ce_source": "/rapport/contacts",
		"ce_type": "dev.rapport.contacts.contact.created.v1", "ce_subject": ev.Subject,
		"ce_tenantid": ev.TenantID, "content-type": "application/json",
		"ce_time": ev.Time.Format(time.RFC3339Nano),
	}
	got := map[string]string{}
	for _, h := range m.Headers {
		got[h.Key] = string(h.Value)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("header %s: got %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("headers: got %v, want exactly %v", got, want)
	}
	back, err := Parse(m)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if back.ID != ev.ID || back.Type != ev.Type || !back.Time.Equal(ev.Time) || string(back.Data) != string(ev.Data) {
		t.Errorf("round trip: got %+v, want %+v", back, ev)
	}
}

func TestParseRejectsBadRecords(t *testing.T) {
	good, _ := New("/rapport/t", "dev.rapport.t.x.created.v1", "s", "0190a8f2-0000-7000-8000-0000000000aa", map[string]int{"a": 1})
	with := func(key, value string) kafka.Message {
		m := good.Message("t")
		for i := range m.Headers {
			if m.Headers[i].Key == key {
				m.Headers[i].Value = []byte(value)
			}
		}
		return m
	}
	notJSON := good.Message("t")
	notJSON.Value = []byte("{oops")
	tests := []struct {
		name string
		msg  kafka.Message
		want string
	}{
		{"wrong spec version", with(HeaderSpecVersion, "0.3"), "ce_specversion"},
		{"missing id", with(HeaderID, ""), "ce_id missing"},
		{"id not a uuid", with(HeaderID, "42"), "not a UUID"},
		{"bad time", with(HeaderTime, "yesterday"), "ce_time"},
		{"bad tenant", with(HeaderTenantID, "acme"), "not a UUID"},
		{"xml content", with(HeaderContentType, "application/xml"), "content-type"},
		{"value not json", notJSON, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.msg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestTopicNames(t *testing.T) {
	tests := []struct{ prefix, context, want string }{
		{"", "contacts", "rapport.contacts.v1"},
		{TenantPrefix("acme"), "support", "t.acme.rapport.support.v1"},
	}
	for _, tt := range tests {
		if got := Topic(tt.prefix, tt.context); got != tt.want {
			t.Errorf("Topic(%q, %q): got %q, want %q", tt.prefix, tt.context, got, tt.want)
		}
	}
	if got, want := DLQ("rapport.sales.v1"), "rapport.sales.v1.dlq"; got != want {
		t.Errorf("DLQ: got %q, want %q", got, want)
	}
}

func TestNewRejectsUnencodableData(t *testing.T) {
	if _, err := New("/s", "t", "s", "x", json.RawMessage("{bad")); err == nil {
		t.Error("got nil, want an encoding error")
	}
}
