package e2e

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// contactCreated is the CloudEvents type of a new contact.
const contactCreated = "dev.rapport.contacts.contact.created.v1"

// testEvents checks that creating a contact through the gateway published
// contact.created carrying the creator's tenant, for both tenants' contacts.
func testEvents(t *testing.T, w *world) {
	want := map[string]string{ // contact id → tenant id
		w.a.fixture.ContactID: w.a.tenant.ID, w.a.fixture.Contact2ID: w.a.tenant.ID,
		w.b.fixture.ContactID: w.b.tenant.ID, w.b.fixture.Contact2ID: w.b.tenant.ID,
	}
	got := map[string]string{} // contact id → ce_tenantid of its created event
	read := 1
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < len(want) && time.Now().Before(deadline) {
		recs := testkit.ReadTopic(t, w.st.Brokers, w.st.Topic, read, 5*time.Second)
		for _, r := range recs {
			if header(r, "ce_type") == contactCreated {
				got[header(r, "ce_subject")] = header(r, "ce_tenantid")
			}
		}
		read = len(recs) + 1 // the topic is read from its start each time
	}
	for id, tenant := range want {
		t.Run(id, func(t *testing.T) {
			if got[id] != tenant {
				t.Errorf("%s of contact %s: ce_tenantid = %q, want %q", contactCreated, id, got[id], tenant)
			}
		})
	}
}

// header returns the value of r's header key.
func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
