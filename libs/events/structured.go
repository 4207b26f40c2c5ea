package events

import (
	"encoding/json"
	"strings"
	"time"
)

// Structured is an event in the CloudEvents structured JSON format (the
// JSON event format of CloudEvents 1.0): what webhooks POST and what
// crmctl events tail prints. The tenant and the trace are extension
// attributes (tenantid, traceparent).
type Structured struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject,omitempty"`
	Time            time.Time       `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	TenantID        string          `json:"tenantid"`
	TraceParent     string          `json:"traceparent,omitempty"`
	Data            json.RawMessage `json:"data"`
}

// ToStructured returns ev in the structured format; an event without data
// has null.
func ToStructured(ev Event) Structured {
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	return Structured{
		SpecVersion: SpecVersion, ID: ev.ID, Source: ev.Source, Type: ev.Type, Subject: ev.Subject,
		Time: ev.Time.UTC(), DataContentType: "application/json", TenantID: ev.TenantID,
		TraceParent: ev.TraceParent, Data: data,
	}
}

// TypeMatches reports whether the event type t matches pattern: the exact
// type, "*" (any type), or a prefix of whole segments followed by ".*"
// ("dev.rapport.sales.*"), where "*" stands for one or more segments. It is
// how webhook subscriptions and crmctl events tail pick types.
func TypeMatches(pattern, t string) bool {
	prefix, wild := strings.CutSuffix(pattern, "*")
	if !wild {
		return pattern == t
	}
	if prefix != "" && !strings.HasSuffix(prefix, ".") {
		return false
	}
	return len(t) > len(prefix) && strings.HasPrefix(t, prefix)
}

// TypeMatchesAny reports whether t matches one of patterns.
func TypeMatchesAny(patterns []string, t string) bool {
	for _, p := range patterns {
		if TypeMatches(p, t) {
			return true
		}
	}
	return false
}
