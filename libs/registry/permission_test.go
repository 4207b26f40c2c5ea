package registry_test

import (
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/libs/registry"
)

func TestSweepRoutePermission(t *testing.T) {
	for _, tt := range []struct {
		r      registry.Route
		method string
		want   string
	}{
		{registry.Route{}, http.MethodGet, "contacts:read"},
		{registry.Route{}, http.MethodHead, "contacts:read"},
		{registry.Route{}, http.MethodPost, "contacts:write"},
		{registry.Route{}, http.MethodDelete, "contacts:write"},
		{registry.Route{Module: "people"}, http.MethodPatch, "people:write"},
		{registry.Route{Query: true}, http.MethodPost, "contacts:read"},
		{registry.Route{Query: true}, http.MethodDelete, "contacts:write"},
		{registry.Route{OwnWrites: true}, http.MethodDelete, "contacts:read"},
	} {
		if got := tt.r.Permission("contacts", tt.method); got != tt.want {
			t.Errorf("%+v.Permission(contacts, %s) = %s, want %s", tt.r, tt.method, got, tt.want)
		}
	}
}
