package timeline

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Contexts are the bounded contexts whose topics the Recorder consumes.
var Contexts = []string{"sales", "support", "marketing"}

// foreignLabels are the events of other contexts a timeline shows, by
// "<context>.<entity>.<verb>" (their CloudEvents type is
// "dev.rapport.<context>.<entity>.<verb>.v<n>"), each with the label its
// summary starts with. Other events of those contexts (an opportunity's
// edit, a campaign's creation) say nothing about a customer's history and
// are skipped.
var foreignLabels = map[string]string{
	"sales.lead.created":              "Lead created",
	"sales.lead.converted":            "Lead converted",
	"sales.opportunity.created":       "Opportunity created",
	"sales.opportunity.stage_changed": "Opportunity moved to another stage",
	"sales.opportunity.won":           "Opportunity won",
	"sales.opportunity.lost":          "Opportunity lost",
	"sales.quote.sent":                "Quote sent",
	"sales.quote.accepted":            "Quote accepted",
	"sales.quote.declined":            "Quote declined",
	"support.case.created":            "Case opened",
	"support.case.escalated":          "Case escalated",
	"support.case.status_changed":     "Case status changed",
	"marketing.message.sent":          "Marketing message sent",
	"marketing.message.opened":        "Marketing message opened",
	"marketing.message.clicked":       "Marketing message clicked",
	"marketing.message.bounced":       "Marketing message bounced",
	"marketing.message.complained":    "Marked a marketing message as spam",
	"marketing.form.submitted":        "Form submitted",
	"marketing.campaign.responded":    "Responded to a campaign",
	"marketing.contact.unsubscribed":  "Unsubscribed",
}

// ForeignTypes returns the types of other services' events a timeline
// shows, sorted.
func ForeignTypes() []string { return slices.Sorted(maps.Keys(foreignLabels)) }

// foreignType matches a Rapport event type: its context, entity and verb.
var foreignType = regexp.MustCompile(`^dev\.rapport\.([a-z_]+)\.([a-z_]+)\.([a-z_]+)\.v[1-9][0-9]*$`)

// maxSummary bounds the title an entry's summary takes from an event.
const maxSummary = 200

// maxRelatedID bounds the subject an entry names as the record of another
// service it is about, as activities bound a reference's id.
const maxRelatedID = 100

// foreign is an event of another context as a timeline entry: its type
// and category, the contacts and accounts it names, its summary and the
// record of its service it is about.
type foreign struct {
	Type, Category string
	Contacts       []string
	Accounts       []string
	Summary        string
	Related        *activities.Ref
}

// Why an event of another context is not in a timeline (the Recorder's
// metric counts each).
const (
	skipUnknownType = "unknown_type" // not one of foreignLabels
	skipMalformed   = "malformed"    // its payload is not an object, or names a record by something not a UUID
	skipUnnamed     = "no_record"    // it names no contact or account of the tenant
)

// readForeign reads ev as an entry, or says why it is skipped: a type
// outside foreignLabels, or a payload that is not a JSON object or whose
// contactId or accountId is not a UUID. An event names a contact by its
// payload's contactId, an account by its accountId, and — when its entity
// is a contact or an account — by its subject.
func readForeign(ev events.Event) (foreign, string) {
	m := foreignType.FindStringSubmatch(ev.Type)
	if m == nil {
		return foreign{}, skipUnknownType
	}
	context, entity, verb := m[1], m[2], m[3]
	typ := context + "." + entity + "." + verb
	label, ok := foreignLabels[typ]
	if !ok {
		return foreign{}, skipUnknownType
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(ev.Data, &payload); err != nil || payload == nil {
		return foreign{}, skipMalformed
	}
	f := foreign{Type: typ, Category: context, Summary: label}
	named := map[string]*[]string{customer.EntityContact: &f.Contacts, customer.EntityAccount: &f.Accounts}
	for _, name := range []struct{ entity, field string }{{customer.EntityContact, "contactId"}, {customer.EntityAccount, "accountId"}} {
		raw, ok := payload[name.field]
		if !ok || string(raw) == "null" {
			continue
		}
		var id string
		if err := json.Unmarshal(raw, &id); err != nil || !ids.Valid(id) {
			return foreign{}, skipMalformed
		}
		*named[name.entity] = append(*named[name.entity], strings.ToLower(id))
	}
	if list, ok := named[entity]; ok {
		if !ids.Valid(ev.Subject) {
			return foreign{}, skipMalformed
		}
		if s := strings.ToLower(ev.Subject); !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	} else if ev.Subject != "" && len(ev.Subject) <= maxRelatedID {
		f.Related = &activities.Ref{Service: context, Type: entity, ID: ev.Subject}
	}
	if len(f.Contacts) == 0 && len(f.Accounts) == 0 {
		return foreign{}, skipUnnamed
	}
	if title := titleOf(payload); title != "" {
		f.Summary += ": " + title
	}
	return f, ""
}

// titleOf returns the first of the payload's name, title and subject that
// is a non-empty string, cut to maxSummary characters.
func titleOf(payload map[string]json.RawMessage) string {
	for _, field := range []string{"name", "title", "subject"} {
		var s string
		if json.Unmarshal(payload[field], &s) != nil {
			continue
		}
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if utf8.RuneCountInString(s) > maxSummary {
			s = string([]rune(s)[:maxSummary]) + "…"
		}
		return s
	}
	return ""
}
