package contacts

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

func TestEmitRefusesEventsOutsideTheCatalogue(t *testing.T) {
	for _, tt := range []struct{ entity, verb string }{{customer.EntityContact, "archived"}, {"tag", customer.VerbRestored}, {"deal", customer.VerbCreated},
		{customer.EventCustomField, customer.VerbRestored}, {customer.EventSavedView, customer.VerbMerged}, {"customField", customer.VerbCreated}, {"saved-view", customer.VerbCreated}} {
		err := (&service{}).emit(t.Context(), nil, "tenant", tt.entity, tt.verb, "subject", struct{}{}, nil)
		if typ := customer.EventType(tt.entity, tt.verb); err == nil || !strings.Contains(err.Error(), typ) {
			t.Errorf("emit %s: error %v, want one naming it", typ, err)
		}
	}
}
