package records

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// JourneyUpdatesGroup is the consumer group of the contact updates
// marketing's journeys ask for.
const JourneyUpdatesGroup = "contacts-marketing-journey-updates"

// JourneyUpdatesContexts are the contexts whose topics JourneyUpdates reads.
var JourneyUpdatesContexts = []string{registry.Marketing}

// TypeJourneyContactUpdated is marketing's event of a journey's update
// step: the change of a contact's tags or of one of its fields the step
// asks for.
const TypeJourneyContactUpdated = "dev.rapport.marketing.journey.contact_updated.v1"

// customFieldPrefix prefixes the key of a custom field a journey sets.
const customFieldPrefix = "customFields."

// journeyFields are the contact fields a journey's update step may set
// (beside customFields.<key>), each with the merge patch setting it to a
// value (nil: cleared).
var journeyFields = map[string]func(value any) map[string]any{
	"firstName":      func(v any) map[string]any { return map[string]any{"firstName": v} },
	"lastName":       func(v any) map[string]any { return map[string]any{"lastName": v} },
	"jobTitle":       func(v any) map[string]any { return map[string]any{"jobTitle": v} },
	"lifecycleStage": func(v any) map[string]any { return map[string]any{"lifecycleStage": v} },
	"city":           func(v any) map[string]any { return map[string]any{"address": map[string]any{"city": v}} },
	"country":        func(v any) map[string]any { return map[string]any{"address": map[string]any{"country": v}} },
}

// journeyUpdate is what JourneyUpdates reads of journey.contact_updated.
type journeyUpdate struct {
	ContactID  string   `json:"contactId"`
	AddTags    []string `json:"addTags"`
	RemoveTags []string `json:"removeTags"`
	Field      string   `json:"field"`
	Value      string   `json:"value"`
}

// valid reports whether u names a contact and a change of it a journey
// may ask for.
func (u journeyUpdate) valid() bool {
	key, custom := strings.CutPrefix(u.Field, customFieldPrefix)
	known := u.Field == "" || custom && key != "" || journeyFields[u.Field] != nil
	return ids.Valid(u.ContactID) && known && (u.Field != "" || len(u.AddTags)+len(u.RemoveTags) > 0)
}

// JourneyUpdates applies the changes marketing's journeys ask of contacts
// (journey.contact_updated): tags added and removed, or a field (a name,
// the job title, the lifecycle stage, the address's city or country, a
// custom field) set to a value, an empty one clearing it. The change is
// written as a merge patch through the contact's update path by
// marketingUser: normalised and validated as a request's (tag names,
// lifecycle stage, custom field values read in their definition's type as
// an import's cells are and checked against it; unknown tags created),
// contact.updated published and the timeline's change by marketing. As
// marketing's own, it is no request: no If-Match, no duplicate check. The
// consumer's inbox makes it once per event; a merged contact's update
// goes to the contact it was merged into. An event that does not parse,
// names no live contact of the event's tenant or an erased one, or whose
// value the contact's rules refuse is skipped with a log line naming why.
type JourneyUpdates struct {
	db     *pgstore.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewJourneyUpdates returns the handler of journeys' contact updates on db.
func NewJourneyUpdates(db *pgstore.DB, logger *slog.Logger) *JourneyUpdates {
	return &JourneyUpdates{db: db, logger: logger, now: time.Now}
}

// Handle is the events.Handler of JourneyUpdatesGroup, in tx (the
// consumer's transaction of the event's tenant with its inbox insert).
// Other events are ignored; only a database failure is an error.
func (j *JourneyUpdates) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	if ev.Type != TypeJourneyContactUpdated {
		return nil
	}
	var u journeyUpdate
	if err := json.Unmarshal(ev.Data, &u); err != nil || !u.valid() {
		j.logger.WarnContext(ctx, "skipped a journey.contact_updated that does not parse", "event", ev.ID)
		return nil
	}
	p := auth.Principal{TenantID: ev.TenantID, UserID: marketingUser, RecordScope: map[string]auth.Scope{"*": auth.ScopeAll}}
	ctx = auth.WithPrincipal(ctx, p) // the timeline's change is marketing's
	ptx := j.db.With(tx, ev.TenantID)
	id, err := contactOf(ctx, ptx, u.ContactID)
	if err != nil {
		return err
	}
	old, err := pgstore.GetRecord(ctx, ptx, pgstore.Contacts, id, true, pgstore.Live)
	if errors.Is(err, customer.ErrContactNotFound) {
		j.logger.InfoContext(ctx, "skipped a journey's update of no live contact", "event", ev.ID, "contact", u.ContactID)
		return nil
	}
	if err != nil {
		return err
	}
	if old.(*customer.Contact).ErasedAt != nil {
		j.logger.InfoContext(ctx, "skipped a journey's update of an erased contact", "event", ev.ID, "contact", id)
		return nil
	}
	if err := catalog.Present(ctx, ptx, pgstore.Contacts.Entity, old); err != nil {
		return err
	}
	err = j.apply(ctx, ptx, p, old, u)
	if k := errs.KindOf(err); k == errs.Invalid || k == errs.Unprocessable {
		j.logger.InfoContext(ctx, "skipped a journey's update the contact's rules refuse", "event", ev.ID, "contact", id, "reason", refusal(err))
		return nil
	}
	return err
}

// apply writes u's change of old, presented, as p: the update path of
// service.update from the merge patch on.
func (j *JourneyUpdates) apply(ctx context.Context, tx *pgstore.Tx, p auth.Principal, old customer.Record, u journeyUpdate) error {
	c := old.(*customer.Contact)
	patch, err := journeyPatch(ctx, tx, c, u)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	rec := pgstore.Contacts.New()
	if err := mergepatch.Apply(old, raw, customer.ReadOnlyFields, rec); err != nil {
		return err
	}
	m, om := rec.Base(), old.Base()
	m.ID, m.CreatedAt, m.UpdatedAt, m.Version = om.ID, om.CreatedAt, pg.Timestamp(j.now()), om.Version+1
	rec.(*customer.Contact).DisplayNameManual = c.DisplayNameManual
	defs, err := Prepare(ctx, tx, pgstore.Contacts, p, rec, om.StoredFields)
	if err != nil {
		return err
	}
	if err := catalog.PresentWith(ctx, tx, defs, rec); err != nil {
		return err
	}
	next, change, err := pgstore.Updated(old, rec)
	if err != nil || change.Verb == "" {
		return err
	}
	if err := pgstore.UpdateRecord(ctx, tx, pgstore.Contacts, next); err != nil {
		return err
	}
	return tx.Emit(ctx, pgstore.Contacts.Entity, change.Verb, om.ID, next, change.Fields)
}

// journeyPatch is the merge patch of u on c: its tags less those removed
// (any case) then with those added, and its field set.
func journeyPatch(ctx context.Context, tx *pgstore.Tx, c *customer.Contact, u journeyUpdate) (map[string]any, error) {
	patch := map[string]any{}
	if len(u.AddTags)+len(u.RemoveTags) > 0 {
		patch["tags"] = journeyTags(c.Tags, u.AddTags, u.RemoveTags)
	}
	if u.Field == "" {
		return patch, nil
	}
	var value any
	if u.Value != "" {
		value = u.Value
	}
	key, custom := strings.CutPrefix(u.Field, customFieldPrefix)
	if !custom {
		for k, v := range journeyFields[u.Field](value) {
			patch[k] = v
		}
		return patch, nil
	}
	if value != nil {
		_, defs, err := catalog.WriteRules(ctx, tx, pgstore.Contacts.Entity)
		if err != nil {
			return nil, err
		}
		if d, ok := defs[key]; ok {
			value = customfields.FromCell(d, u.Value)
		}
	}
	patch["customFields"] = map[string]any{key: value}
	return patch, nil
}

// journeyTags is tags without those named in remove, then with those of
// add it lacks, names compared in any case.
func journeyTags(tags, add, remove []string) []string {
	has := func(list []string, name string) bool {
		return slices.ContainsFunc(list, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(name)) })
	}
	out := []string{}
	for _, t := range tags {
		if !has(remove, t) {
			out = append(out, t)
		}
	}
	for _, t := range add {
		if !has(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// refusal is why the contact's rules refuse a change: err's message and
// each field it names with its reason.
func refusal(err error) string {
	e, _ := errs.As(err)
	parts := []string{e.Error()}
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Reason)
	}
	return strings.Join(parts, "; ")
}
