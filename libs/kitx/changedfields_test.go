package kitx_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/kitx"
)

func TestChangedFields(t *testing.T) {
	h := http.Header{}
	kitx.SetChangedFields(h, nil)
	if _, ok := h[kitx.ChangedFieldsHeader]; ok {
		t.Errorf("no fields set the header %q", h.Get(kitx.ChangedFieldsHeader))
	}
	kitx.SetChangedFields(h, []string{"emails", "firstName"})
	if got := h.Get(kitx.ChangedFieldsHeader); got != "emails,firstName" {
		t.Errorf("header = %q, want emails,firstName", got)
	}
	h.Add(kitx.ChangedFieldsHeader, " tags , ,")
	if got, want := kitx.ChangedFields(h), []string{"emails", "firstName", "tags"}; !slices.Equal(got, want) {
		t.Errorf("ChangedFields = %v, want %v", got, want)
	}
}
