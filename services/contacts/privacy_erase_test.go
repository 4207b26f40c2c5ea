package contacts_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/privacy"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// traces are what identifies Ada and Augusta (the contact merged into
// her), which no answer may hold once she is erased.
var traces = []string{"ada", "lovelace", "augusta", "7946 0018", "79460018", "7946 0019", "St James", "engines", "Countess", "Ada's web form", "recordings.example"}

// assertErased fails when body holds one of the person's traces as a word
// of its own, in any case: "ada" in an id's hexadecimal ("3ada14f") is no
// trace of Ada.
func assertErased(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, s := range traces {
		if regexp.MustCompile(`(?i)(^|[^\pL\pN])` + regexp.QuoteMeta(s) + `($|[^\pL\pN])`).Match(body) {
			t.Errorf("%s still holds %q: %s", what, s, body)
		}
	}
}

func TestPersonalDataErasure(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	p := newPerson(e, u)
	erase := func(u user, id string, body any, headers ...string) reply {
		return e.do(u, "POST", "/v1/contacts/"+id+"/erase", body, headers...)
	}

	// Refusals that change nothing: no reason, a writer without
	// contacts:admin, a stale If-Match, another tenant's caller.
	if r := e.want(erase(u, p.id, map[string]any{}), http.StatusBadRequest); !strings.Contains(string(r.Raw), "reason") {
		t.Errorf("refusal %s does not name the reason", r.Raw)
	}
	rep := user{tenant: u.tenant, id: uuid.NewString(), scope: u.scope, perms: []string{"contacts:read", "contacts:write"}}
	e.want(erase(rep, p.id, map[string]any{"reason": "request 42"}), http.StatusForbidden)
	e.want(erase(u, p.id, map[string]any{"reason": "request 42"}, "If-Match", `"1"`), http.StatusPreconditionFailed)
	e.want(erase(newUser(uuid.NewString()), p.id, map[string]any{"reason": "request 42"}), http.StatusNotFound)
	if got := e.want(e.do(u, "GET", "/v1/contacts/"+p.id, nil), http.StatusOK); !strings.Contains(string(got.Raw), "Lovelace") {
		t.Fatalf("a refused erasure changed the contact: %s", got.Raw)
	}

	// An import that wrote the contact and has not ended still holds her
	// row in its stored file.
	if _, err := e.admin.Exec(`UPDATE imports SET state = 'running' WHERE id = $1`, p.importID); err != nil {
		t.Fatal(err)
	}
	if r := e.want(erase(u, p.id, map[string]any{"reason": "request 42"}), http.StatusConflict); !strings.Contains(string(r.Raw), p.importID) {
		t.Errorf("refusal %s does not name the running import", r.Raw)
	}
	if _, err := e.admin.Exec(`UPDATE imports SET state = 'completed' WHERE id = $1`, p.importID); err != nil {
		t.Fatal(err)
	}

	// The merged record's erasure is the winner's.
	r := e.want(erase(u, p.loser, map[string]any{"reason": "request 42"}), http.StatusMovedPermanently)
	if loc := r.Header.Get("Location"); loc != "/v1/contacts/"+p.id+"/erase" {
		t.Errorf("merged contact's erasure redirects to %q", loc)
	}

	er := contracttest.Decode[privacy.Erasure](e.want(erase(u, p.id, map[string]any{"reason": "  data subject request 42 "}), http.StatusOK))
	if er.ContactID != p.id || er.ErasedBy != u.id || er.Reason != "data subject request 42" || !slices.Equal(er.MergedIDs, []string{p.loser}) ||
		er.Activities != 4 || er.ErasedAt.IsZero() {
		// The meeting names her by her contact alone: nothing to redact.
		t.Errorf("erasure %+v, want Ada's with Augusta and 4 activities redacted", er)
	}

	// The record is a tombstone: what reports need stays, the person goes.
	got := e.want(e.do(u, "GET", "/v1/contacts/"+p.id, nil), http.StatusOK)
	assertErased(t, "the contact", got.Raw)
	c := contracttest.Decode[customer.Contact](got)
	if c.DisplayName != customer.ErasedName || c.ErasedAt == nil || len(c.Emails) != 0 || len(c.Phones) != 0 || c.JobTitle != "" ||
		c.Address != nil || len(c.CustomFields) != 0 || c.LifecycleStage != "customer" || c.AccountID == nil || *c.AccountID != p.account ||
		!slices.Contains(c.Tags, "vip") || c.Consent == nil || c.Consent.Email == nil || c.Consent.Email.Status != "granted" {
		t.Errorf("erased contact %s", got.Raw)
	}
	var loser struct {
		Emails  pq.StringArray `db:"emails"`
		Erased  bool           `db:"erased"`
		Display string         `db:"display_name"`
	}
	if err := e.admin.Get(&loser, `SELECT ARRAY(SELECT x->>'address' FROM jsonb_array_elements(emails) x) AS emails, erased_at IS NOT NULL AS erased, display_name
		FROM contacts WHERE id = $1`, p.loser); err != nil {
		t.Fatal(err)
	}
	if len(loser.Emails) != 0 || !loser.Erased || loser.Display != customer.ErasedName {
		t.Errorf("merged contact %+v, want it erased too", loser)
	}

	// Nothing finds her by what she was: no match key, search, lookup or
	// duplicate check; a new contact with her address is no duplicate.
	var keys, activityKeys int
	if err := e.admin.Get(&keys, `SELECT count(*) FROM contact_match_keys WHERE contact_id = ANY($1::uuid[])`, pq.StringArray{p.id, p.loser}); err != nil {
		t.Fatal(err)
	}
	if err := e.admin.Get(&activityKeys, `SELECT count(*) FROM activity_keys WHERE value IN ('ada@example.com', 'ada.king@home.example', '+442079460018')`); err != nil {
		t.Fatal(err)
	}
	if keys != 0 || activityKeys != 0 {
		t.Errorf("%d match keys and %d activity keys left of the erased person", keys, activityKeys)
	}
	for _, q := range []string{"Lovelace", "ada@example.com", "Augusta"} {
		if r := e.want(e.do(u, "GET", "/v1/contacts?q="+url.QueryEscape(q), nil), http.StatusOK); strings.Contains(string(r.Raw), p.id) {
			t.Errorf("q=%s still finds the erased contact", q)
		}
	}
	if r := e.want(e.do(u, "GET", "/v1/lookup/phone/"+url.PathEscape("+44 20 7946 0018"), nil), http.StatusOK); strings.Contains(string(r.Raw), p.id) {
		t.Errorf("the phone lookup still finds the erased contact: %s", r.Raw)
	}
	e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "emails": []any{map[string]any{"address": "ada@example.com"}}})

	// The activities naming her are redacted; Bob's own note is not.
	act := func(id string) activities.Activity {
		return activityOf(e.want(e.do(u, "GET", "/v1/activities/"+id, nil), http.StatusOK))
	}
	for _, id := range []string{p.note, p.loserNote, p.mail, p.call, p.meeting} {
		assertErased(t, "activity "+id, e.want(e.do(u, "GET", "/v1/activities/"+id, nil), http.StatusOK).Raw)
	}
	if n := act(p.note); n.Subject != "" || n.Body != "" || *n.ContactID != p.id {
		t.Errorf("note about her %+v, want no subject or body, still hers", n)
	}
	if m := act(p.mail); m.Subject != "Intro to [erased]" || m.Body != "Bob, meet [erased] ([erased])." || m.Email.From != "bob@example.com" ||
		!slices.Equal(m.Email.To, []string{privacy.ErasedAddress}) || !slices.Equal(m.Email.Cc, []string{"carol@example.com"}) || m.Email.MessageID != "" {
		t.Errorf("email naming her %+v %+v", m, m.Email)
	}
	if ca := act(p.call); ca.Call.From != "" || ca.Call.FromE164 != "" || ca.Call.RecordingURL != "" || ca.Call.ToE164 != "+442079460999" || ca.Call.DurationSeconds != 60 {
		t.Errorf("call from her %+v", ca.Call)
	}
	if mt := act(p.meeting); mt.Meeting.Location != "Acme HQ" || len(mt.Meeting.Attendees) != 2 || *mt.Meeting.Attendees[0].ContactID != p.id ||
		mt.Meeting.Attendees[0].Name != "" || mt.Meeting.Attendees[1].Name != "Bob Smith" {
		t.Errorf("meeting she attended %+v", mt.Meeting)
	}
	if un := act(p.unrelated); un.Body != "Bob likes tea" || un.Version != 1 {
		t.Errorf("Bob's own note %+v changed", un)
	}

	// Her consent history keeps the statuses, not where they came from;
	// the timeline keeps the case, not its title; the import's error
	// report loses her row's values.
	hist := contracttest.Decode[customer.Page[records.ConsentChange]](e.want(e.do(u, "GET", "/v1/contacts/"+p.id+"/consent-history", nil), http.StatusOK))
	if len(hist.Items) == 0 || slices.ContainsFunc(hist.Items, func(h records.ConsentChange) bool { return h.Source != "" }) {
		t.Errorf("consent history %+v, want its sources blanked", hist.Items)
	}
	tl := e.timelineOf(u, "/v1/contacts/"+p.id+"/timeline")
	if en := entryOf(t, tl, p.caseEntry); en.Summary != "Case opened" {
		t.Errorf("case entry %+v, want its title gone", en)
	}
	if !slices.Contains(typesOf(tl.Items), "record.erased") {
		t.Errorf("timeline %v has no erasure", typesOf(tl.Items))
	}
	later := e.publishForeign("support", "dev.rapport.support.case.created.v1", uuid.NewString(), u.tenant,
		time.Now().UTC().Truncate(time.Second), map[string]any{"contactId": p.id, "subject": "Ada Lovelace again"})
	if en := entryOf(t, e.waitEntry(u, "/v1/contacts/"+p.id+"/timeline", later), later); en.Summary != "Case opened" {
		t.Errorf("a case opened after the erasure %+v, want its title left out", en)
	}
	for _, line := range e.importErrors(u, p.importID) {
		assertErased(t, "the import's error report", []byte(strings.Join(line, ",")))
	}

	// The export says what is left and who erased it, and why.
	pd, raw := e.exportOf(u, p.id)
	assertErased(t, "the export", raw.Raw)
	if pd.Erasure == nil || pd.Erasure.Reason != "data subject request 42" || pd.Erasure.ErasedBy != u.id ||
		!slices.Equal(activityIDsOf(pd.Activities), sorted(p.note, p.loserNote, p.meeting)) {
		// The email and the call no longer name her.
		t.Errorf("export after erasure: erasure %+v, %d activities", pd.Erasure, len(pd.Activities))
	}

	// contact.erased names each contact and nothing of the person; every
	// event matches its schema.
	var erased []string
	for _, ev := range e.published() {
		if ev.typ == customer.Events.Type(customer.EntityContact, customer.VerbErased) {
			erased = append(erased, ev.subject)
			assertErased(t, "contact.erased", ev.data)
		}
	}
	if !slices.Equal(sorted(erased...), sorted(p.id, p.loser)) {
		t.Errorf("contact.erased of %v, want Ada and Augusta", erased)
	}
	validateEvents(t, e)

	ver := `"` + strconv.FormatInt(c.Version, 10) + `"`
	// An erased contact is never a person again: no update, merge (either
	// way) or second erasure; it may still be deleted and restored, which
	// gives it no match keys back.
	e.want(e.do(u, "PATCH", "/v1/contacts/"+p.id, map[string]any{"firstName": "Ada"}, "If-Match", ver), http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/contacts/"+p.bob+"/merge", map[string]any{"loserId": p.id}, "If-Match", `"1"`), http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/contacts/"+p.id+"/merge", map[string]any{"loserId": p.bob}, "If-Match", ver), http.StatusConflict)
	if r := e.want(erase(u, p.id, map[string]any{"reason": "again"}), http.StatusConflict); !strings.Contains(string(r.Raw), "contact-erased") {
		t.Errorf("second erasure refused with %s", r.Raw)
	}
	e.want(e.do(u, "DELETE", "/v1/contacts/"+p.id, nil, "If-Match", ver), http.StatusNoContent)
	e.want(e.do(u, "POST", "/v1/contacts/"+p.id+"/restore", nil), http.StatusOK)
	if err := e.admin.Get(&keys, `SELECT count(*) FROM contact_match_keys WHERE contact_id = $1`, p.id); err != nil || keys != 0 {
		t.Errorf("%d match keys after a restore (%v)", keys, err)
	}
	var rows int
	if err := e.admin.Get(&rows, `SELECT count(*) FROM contact_erasures WHERE contact_id = $1 AND reason = 'data subject request 42'`, p.id); err != nil || rows != 1 {
		t.Errorf("%d erasure records (%v)", rows, err)
	}
}

// TestAnErasureRecordIsEvidence checks the application role may record an
// erasure and read it, never change or remove it, and that an erased
// contact's personal columns resist a write that bypasses the service.
func TestAnErasureRecordIsEvidence(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Grace", "emails": []any{map[string]any{"address": "grace@example.com"}}})
	e.want(e.do(u, "POST", "/v1/contacts/"+id+"/erase", map[string]any{"reason": "request 7"}), http.StatusOK)
	tx, err := e.app.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec(`SELECT set_config('app.tenant_id', $1, true)`, u.tenant); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE contact_erasures SET reason = 'x'`, `DELETE FROM contact_erasures`} {
		res, err := tx.Exec(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); n != 0 {
			t.Errorf("%s changed %d rows as the application role", q, n)
		}
	}
	if _, err := tx.Exec(`SAVEPOINT s`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE contacts SET first_name = 'Grace' WHERE id = $1`, id); err == nil || !strings.Contains(err.Error(), "was erased") {
		t.Errorf("a direct write of an erased contact's name: %v, want the guard's refusal", err)
	}
	if _, err := tx.Exec(`ROLLBACK TO SAVEPOINT s`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.Get(&n, `SELECT count(*) FROM contact_erasures WHERE contact_id = $1`, id); err != nil || n != 1 {
		t.Errorf("the application role reads %d erasure records (%v)", n, err)
	}
}
