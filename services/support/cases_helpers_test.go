package support_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/customers"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/phone"
)

// caseDB is the service's database as the service's role uses it, with
// the support catalogue and topic: what the channels' Go API of cases
// runs on (the channels, SLA and the jobs call it in the service).
func (e *env) caseDB() *outbox.DB {
	e.t.Helper()
	pool, err := sqlx.Open("postgres", e.app)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { pool.Close() })
	return outbox.NewDB(pool, supportdb.Events, registry.MustTopic("", registry.Support))
}

// caseService is package cases' Service on the service's database, as the
// channels call it.
func (e *env) caseService() *cases.Service {
	e.t.Helper()
	cursors, err := kitx.NewCursors(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		e.t.Fatal(err)
	}
	return cases.NewService(e.caseDB(), cursors)
}

// readCase reads the case id as u.
func (e *env) readCase(u user, id string) cases.Case {
	e.t.Helper()
	return contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+id, nil), http.StatusOK))
}

// entriesOf lists the thread of the case id as u (its first 100 entries).
func (e *env) entriesOf(u user, id string) []cases.Entry {
	e.t.Helper()
	return contracttest.Decode[cases.EntryPage](e.want(e.do(u, "GET", "/v1/cases/"+id+"/entries?limit=100", nil), http.StatusOK)).Items
}

// contactsGroups are the service's consumer groups on contacts' topic,
// each of which keeps every event in the inbox.
var contactsGroups = []string{cases.ContactsGroup, phone.ConsumerGroup, customers.ConsumerGroup}

// sendContactsEvents publishes evs on contacts' topic, which the service
// consumes, and waits until it has consumed each.
func (e *env) sendContactsEvents(evs ...events.Event) {
	e.t.Helper()
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	for _, ev := range evs {
		if err := pub.Publish(e.t.Context(), ev.Message(registry.MustTopic("", registry.Contacts))); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, ev := range evs {
		testkit.Eventually(e.t, 45*time.Second, "event "+ev.ID+" consumed", func() (bool, string) {
			var n int
			if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1 AND consumer_group = ANY($2)", ev.ID,
				pq.Array(contactsGroups)); err != nil {
				e.t.Fatal(err)
			}
			return n == len(contactsGroups), ""
		})
	}
}

// contactsEventOf is an event of tenant as the contacts service publishes
// it: of type typ, on subject.
func contactsEventOf(t *testing.T, typ, subject, tenant string, payload any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/contacts", typ, subject, tenant, payload)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
