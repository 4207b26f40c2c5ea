package contacts

import (
	"strings"
	"testing"
)

func TestEmitRefusesEventsOutsideTheCatalogue(t *testing.T) {
	for _, tt := range []struct{ entity, verb string }{{EntityContact, "archived"}, {"tag", VerbRestored}, {"deal", VerbCreated},
		{eventCustomField, VerbRestored}, {eventSavedView, VerbMerged}, {"customField", VerbCreated}, {"saved-view", VerbCreated}} {
		err := (&service{}).emit(t.Context(), nil, "tenant", tt.entity, tt.verb, "subject", struct{}{}, nil)
		if typ := EventType(tt.entity, tt.verb); err == nil || !strings.Contains(err.Error(), typ) {
			t.Errorf("emit %s: error %v, want one naming it", typ, err)
		}
	}
}
