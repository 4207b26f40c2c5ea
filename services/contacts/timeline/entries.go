package timeline

import (
	"cmp"
	"strings"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// createdEntry is the entry of the creation of m, a record of t.
func createdEntry(t *pgstore.Table, m member) Entry {
	return Entry{ID: m.ID, Type: TypeCreated, Category: CategoryRecord, At: m.CreatedAt.UTC(), RecordID: m.ID,
		Summary: noun(t) + " created"}
}

// activityEntry is the entry of a, an activity of the record id.
func activityEntry(a *activities.Activity, id string) Entry {
	summary := a.Subject
	if summary == "" {
		summary = capitalize(a.Type)
		if a.Call != nil && a.Call.Direction != "" {
			summary = capitalize(a.Call.Direction) + " call"
		}
	}
	return Entry{ID: a.ID, Type: a.Type, Category: CategoryActivity, At: a.OccurredAt, RecordID: id, Summary: summary,
		Actor: a.CreatedBy, Activity: a}
}

// storedEntry is the entry of a stored row of a record of t: a change of
// the record, or another service's event.
func storedEntry(t *pgstore.Table, r *storedRow) (Entry, error) {
	d, err := r.details()
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: r.ID, Type: r.Type, At: r.At.UTC(), RecordID: r.RecordID, Summary: r.Summary, Actor: r.Actor}
	category, _, _ := strings.Cut(r.Type, ".")
	e.Category = category
	if category != CategoryRecord {
		e.Event = &Event{Type: d.EventType, Source: d.Source, Related: d.Related}
		return e, nil
	}
	e.Changed, e.MergedID, e.MergedFields = d.Changed, d.LoserID, d.MergedFields
	e.Summary = cmp.Or(e.Summary, changeSummary(t, r.Type, d))
	return e, nil
}

// changeSummary says what a change of a record of t did.
func changeSummary(t *pgstore.Table, typ string, d storedDetails) string {
	switch typ {
	case TypeUpdated:
		if len(d.Changed) == 0 {
			return noun(t) + " updated"
		}
		return noun(t) + " updated: " + strings.Join(d.Changed, ", ")
	case TypeDeleted:
		return noun(t) + " deleted"
	case TypeRestored:
		return noun(t) + " restored"
	case TypeMerged:
		return "Another " + t.Entity + " merged into this one"
	case TypeErased:
		return noun(t) + "'s personal data erased"
	}
	return typ
}

// noun names the records of t in a summary.
func noun(t *pgstore.Table) string { return capitalize(t.Entity) }

// capitalize returns s, an ASCII word, with its first letter in upper case.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
