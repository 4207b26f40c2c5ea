package contacts_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/privacy"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// person is a contact with everything the service can hold about a
// person: custom fields, tags, consent, an address; a second record of
// them merged into it; activities about them, naming them by address,
// number or attendance on another contact, and one that does not; an
// import that updated them and whose error report holds a row of theirs;
// and an event of another service naming them in its timeline.
type person struct {
	user                                 user
	id, loser, account, bob              string
	note, loserNote, mail, call, meeting string
	unrelated                            string
	importID, caseEntry                  string
}

// personFile is an import updating Ada (row 2) with a ragged row of hers
// (row 3), which its error report keeps.
const personFile = "Name,Email,Phone,Title,Tags\n" +
	"Ada Lovelace,ada@example.com,,Countess,imported\n" +
	"Ada Lovelace,ada@example.com,,Countess,x,extra\n"

// newPerson makes the person of u's tenant in e (whose instances run the
// import).
func newPerson(e *env, u user) person {
	e.t.Helper()
	p := person{user: u}
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "hobby", "label": "Hobby", "type": "text"}), http.StatusCreated)
	p.account = e.created(u, "/v1/accounts", map[string]any{"name": "Acme"})
	p.id = e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "accountId": p.account,
		"jobTitle": "Analyst", "lifecycleStage": "customer", "tags": []string{"vip"}, "customFields": map[string]any{"hobby": "engines"},
		"emails": []any{map[string]any{"address": "ada@example.com"}}, "phones": []any{map[string]any{"number": "+44 20 7946 0018"}},
		"address": map[string]any{"street": "12 St James's Square", "city": "London"},
		"consent": map[string]any{"email": map[string]any{"status": "granted", "source": "Ada's web form"}}})
	p.loser = e.created(u, "/v1/contacts?allowDuplicate=true", map[string]any{"firstName": "Augusta", "lastName": "King",
		"emails": []any{map[string]any{"address": "ada.king@home.example"}}, "phones": []any{map[string]any{"number": "+44 20 7946 0019"}}})
	p.bob = e.created(u, "/v1/contacts", map[string]any{"firstName": "Bob", "lastName": "Smith", "emails": []any{map[string]any{"address": "bob@example.com"}}})
	at := func(h int) string { return rfc3339(time.Now().Add(time.Duration(-h) * time.Hour)) }
	p.loserNote = e.logActivity(u, map[string]any{"type": "note", "contactId": p.loser, "subject": "Augusta", "body": "Met at the ball"}).ID
	e.want(e.do(u, "POST", "/v1/contacts/"+p.id+"/merge", map[string]any{"loserId": p.loser}, "If-Match", `"1"`), http.StatusOK)
	p.note = e.logActivity(u, map[string]any{"type": "note", "contactId": p.id, "subject": "Call back", "body": "Prefers mornings"}).ID
	p.mail = e.logActivity(u, map[string]any{"type": "email", "contactId": p.bob, "subject": "Intro to Ada Lovelace",
		"body": "Bob, meet Ada (ada@example.com).", "email": map[string]any{"from": "bob@example.com", "to": []string{"ada@example.com"},
			"cc": []string{"carol@example.com"}, "messageId": "<intro@example.com>", "sentAt": at(5)}}).ID
	p.call = e.logActivity(u, map[string]any{"type": "call", "contactId": p.bob, "call": map[string]any{"direction": "inbound",
		"from": "+44 20 7946 0018", "to": "+44 20 7946 0999", "startedAt": at(4), "durationSeconds": 60, "outcome": "answered",
		"recordingUrl": "https://recordings.example/1"}}).ID
	p.meeting = e.logActivity(u, map[string]any{"type": "meeting", "contactId": p.bob, "subject": "Workshop", "meeting": map[string]any{
		"startAt": at(3), "endAt": at(2), "location": "Acme HQ",
		"attendees": []any{map[string]any{"contactId": p.id}, map[string]any{"name": "Bob Smith", "email": "bob@example.com"}}}}).ID
	p.unrelated = e.logActivity(u, map[string]any{"type": "note", "contactId": p.bob, "body": "Bob likes tea"}).ID

	im := e.importDone(u, e.startImport(u, map[string]any{"mapping": peopleMapping, "duplicatePolicy": "update"}, []byte(personFile)).ID)
	if im.Updated != 1 || im.Failed != 1 {
		e.t.Fatalf("import %+v, want Ada updated and her ragged row failed", im)
	}
	p.importID = im.ID
	p.caseEntry = e.publishForeign("support", "dev.rapport.support.case.created.v1", uuid.NewString(), u.tenant,
		time.Now().Add(-time.Hour).UTC().Truncate(time.Second), map[string]any{"contactId": p.id, "subject": "Ada Lovelace cannot log in"})
	e.waitEntry(u, "/v1/contacts/"+p.id+"/timeline", p.caseEntry)
	return p
}

// exportOf reads the personal data of contact id as u, wanting a 200.
func (e *env) exportOf(u user, id string) (privacy.PersonalData, reply) {
	e.t.Helper()
	r := e.want(e.do(u, "GET", "/v1/contacts/"+id+"/personal-data", nil), http.StatusOK)
	return contracttest.Decode[privacy.PersonalData](r), r
}

// activityIDsOf returns the ids of acts, sorted.
func activityIDsOf(acts []activities.Activity) []string {
	var out []string
	for _, a := range acts {
		out = append(out, a.ID)
	}
	slices.Sort(out)
	return out
}

// sorted returns ids sorted.
func sorted(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }

func TestPersonalDataExport(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	p := newPerson(e, u)

	pd, _ := e.exportOf(u, p.id)
	c := pd.Contact
	if c == nil || c.ID != p.id || c.DisplayName != "Ada Lovelace" || c.JobTitle != "Countess" || c.CustomFields["hobby"] != "engines" ||
		!slices.Contains(c.Tags, "vip") || !slices.Contains(c.Tags, "imported") || len(c.Emails) != 2 || c.Address == nil || c.ErasedAt != nil {
		t.Errorf("exported contact %+v", c)
	}
	if len(pd.MergedContacts) != 1 || pd.MergedContacts[0].ID != p.loser || pd.MergedContacts[0].MergedInto != p.id ||
		pd.MergedContacts[0].Emails[0].Address != "ada.king@home.example" {
		t.Errorf("merged contacts %+v, want Augusta merged into Ada", pd.MergedContacts)
	}
	if got, want := activityIDsOf(pd.Activities), sorted(p.note, p.loserNote, p.mail, p.call, p.meeting); !slices.Equal(got, want) {
		t.Errorf("activities %v, want %v (not Bob's own note)", got, want)
	}
	if !slices.ContainsFunc(pd.ConsentHistory, func(h records.ConsentChange) bool { return h.Source == "Ada's web form" && h.Status == "granted" }) {
		t.Errorf("consent history %+v, want the granted email consent with its source", pd.ConsentHistory)
	}
	if len(pd.Imports) != 1 || pd.Imports[0] != (importjob.Provenance{ImportID: p.importID, RecordID: p.id, FileName: "contacts.csv", Row: 2,
		Action: "updated", At: pd.Imports[0].At, CreatedBy: u.id, State: importjob.StateCompleted}) {
		t.Errorf("imports %+v, want the import's row 2 updating Ada", pd.Imports)
	}
	if len(pd.Timeline) != 1 || pd.Timeline[0].ID != p.caseEntry || pd.Timeline[0].Summary != "Case opened: Ada Lovelace cannot log in" {
		t.Errorf("timeline %+v, want the case opened", pd.Timeline)
	}
	if pd.Erasure != nil || pd.ExportedAt.IsZero() {
		t.Errorf("erasure %+v, exportedAt %v", pd.Erasure, pd.ExportedAt)
	}

	// The merged record's export is the winner's; a data-subject export
	// needs contacts:admin; another tenant's contact is not found.
	r := e.want(e.do(u, "GET", "/v1/contacts/"+p.loser+"/personal-data", nil), http.StatusMovedPermanently)
	if loc := r.Header.Get("Location"); loc != "/v1/contacts/"+p.id+"/personal-data" {
		t.Errorf("merged contact's export redirects to %q", loc)
	}
	rep := user{tenant: u.tenant, id: uuid.NewString(), scope: u.scope, perms: []string{"contacts:read", "contacts:write"}}
	if r := e.want(e.do(rep, "GET", "/v1/contacts/"+p.id+"/personal-data", nil), http.StatusForbidden); !strings.Contains(string(r.Raw), "contacts:admin") {
		t.Errorf("refusal %s does not name contacts:admin", r.Raw)
	}
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/contacts/"+p.id+"/personal-data", nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/contacts/not-an-id/personal-data", nil), http.StatusNotFound)
}
