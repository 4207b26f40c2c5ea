package pgstore

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// TestEmitRefusesEventsOutsideTheCatalogue checks that no event outside the
// service's catalogue (customer.Events, api/asyncapi.yaml) reaches the
// outbox: Emit refuses it before it writes anything.
func TestEmitRefusesEventsOutsideTheCatalogue(t *testing.T) {
	tx := New(nil, "").With(nil, "tenant") // no transaction: Emit must refuse before it needs one
	for _, tt := range []struct{ entity, verb string }{{customer.EntityContact, "archived"}, {customer.EventTag, customer.VerbRestored},
		{"deal", customer.VerbCreated}, {customer.EventCustomField, customer.VerbRestored}, {customer.EventSavedView, customer.VerbMerged},
		{"customField", customer.VerbCreated}, {"saved-view", customer.VerbCreated}} {
		err := tx.Emit(t.Context(), tt.entity, tt.verb, "subject", struct{}{}, nil)
		if typ := customer.Events.Type(tt.entity, tt.verb); err == nil || !strings.Contains(err.Error(), typ) {
			t.Errorf("emit %s: error %v, want one naming it", typ, err)
		}
	}
}
