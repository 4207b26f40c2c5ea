// Package timeline is a customer's history in one list: a contact's or an
// account's activities (package activities), its own changes (created,
// updated, deleted, restored, merged: written with their events by the
// service's publish path, internal/pgstore) and what other services'
// events say about it (an opportunity won, a case opened, an email opened:
// a Recorder consumes rapport.sales.v1, rapport.support.v1 and
// rapport.marketing.v1), newest first, with those of every record merged
// into it. The Recorder also moves the records' lastActivityAt forward.
package timeline

import (
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// The categories of entries: a type filter may name one for all its types.
const (
	CategoryActivity = "activity"
	CategoryRecord   = "record"
)

// The types of a record's own changes.
const (
	TypeCreated  = pgstore.ChangePrefix + customer.VerbCreated
	TypeUpdated  = pgstore.ChangePrefix + customer.VerbUpdated
	TypeDeleted  = pgstore.ChangePrefix + customer.VerbDeleted
	TypeRestored = pgstore.ChangePrefix + customer.VerbRestored
	TypeMerged   = pgstore.ChangePrefix + customer.VerbMerged
	// TypeErased is a contact's erasure (package privacy).
	TypeErased = pgstore.ChangePrefix + customer.VerbErased
)

// RecordTypes are the types of a record's own changes.
var RecordTypes = []string{TypeCreated, TypeUpdated, TypeDeleted, TypeRestored, TypeMerged, TypeErased}

// Entry is one item of a timeline. Type is an activity's type (call, email,
// meeting, note, task), a change's (record.updated, …) or another
// service's event's ("sales.opportunity.won"); Category groups them
// (activity, record, or the other service's context). RecordID is the
// record the entry is about: the one read, or one merged into it.
type Entry struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Category string    `json:"category"`
	At       time.Time `json:"at"`
	RecordID string    `json:"recordId"`
	Summary  string    `json:"summary"`
	// Actor is who made a change or logged an activity, when known.
	Actor string `json:"actor,omitempty"`
	// Changed are the fields an update changed.
	Changed []string `json:"changed,omitempty"`
	// MergedID is the record a merge took in, MergedFields the fields the
	// merge changed.
	MergedID     string   `json:"mergedId,omitempty"`
	MergedFields []string `json:"mergedFields,omitempty"`
	// Activity is an activity entry's activity.
	Activity *activities.Activity `json:"activity,omitempty"`
	// Event is the event another service published, of its entries.
	Event *Event `json:"event,omitempty"`
}

// Event is the event of another service an entry comes from: its
// CloudEvents type and source, and the record of that service it is about.
type Event struct {
	Type    string          `json:"type"`
	Source  string          `json:"source"`
	Related *activities.Ref `json:"related,omitempty"`
}

// Query selects a page of a timeline: entries of Types (each a type or a
// category; none: all), up to Limit after Cursor.
type Query struct {
	Types  []string
	Limit  int
	Cursor string
}

// ErrBadType is the error of a type filter naming neither a category nor
// a type of entry; libs/kitx maps its kind to 400.
var ErrBadType = errs.New(errs.Invalid, "invalid-timeline-type", "a type is not one of the timeline's")

// selection is what a type filter selects, by source: activities (of
// activityTypes; nil: every type), creations, and stored entries (changes
// and other services' events, of storedTypes; nil: every type).
type selection struct {
	activities, created, stored bool
	activityTypes, storedTypes  []string
}

// categories are the categories a type filter may name, in the order the
// API documents them.
func categories() []string {
	return append([]string{CategoryActivity, CategoryRecord}, Contexts...)
}

// allTypes lists every type of entry, by category.
func allTypes() map[string][]string {
	all := map[string][]string{CategoryActivity: activities.Types, CategoryRecord: RecordTypes}
	for _, t := range ForeignTypes() {
		c, _, _ := strings.Cut(t, ".")
		all[c] = append(all[c], t)
	}
	return all
}

// selectTypes resolves a type filter: each value a category or a type of
// allTypes. An empty filter selects everything.
func selectTypes(filter []string) (selection, error) {
	if len(filter) == 0 {
		return selection{activities: true, created: true, stored: true}, nil
	}
	all := allTypes()
	var types []string
	for _, f := range filter {
		if ts, ok := all[f]; ok {
			types = append(types, ts...)
			continue
		}
		known := false
		for _, ts := range all {
			known = known || slices.Contains(ts, f)
		}
		if !known {
			e := ErrBadType.WithDetail("type %q is neither a category nor a type of the timeline", f)
			e.Fields = []errs.FieldError{{Field: "type", Reason: "must be categories (" + strings.Join(categories(), ", ") +
				") or types of entry (call, record.updated, sales.opportunity.won, …: the API's TimelineType), comma-separated"}}
			return selection{}, e
		}
		types = append(types, f)
	}
	slices.Sort(types)
	types = slices.Compact(types)
	var s selection
	for _, t := range types {
		switch {
		case slices.Contains(activities.Types, t):
			s.activities, s.activityTypes = true, append(s.activityTypes, t)
		case t == TypeCreated:
			s.created = true
		default:
			s.stored, s.storedTypes = true, append(s.storedTypes, t)
		}
	}
	if len(s.activityTypes) == len(activities.Types) {
		s.activityTypes = nil
	}
	return s, nil
}
