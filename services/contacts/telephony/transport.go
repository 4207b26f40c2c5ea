package telephony

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Routes returns the routes of telephony on s: the lookup needs
// contacts:read, logging a call contacts:write. api/openapi.yaml documents
// each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	return resource.Routes(
		starter.Route{Name: "lookupPhone", Method: "GET", Path: "/v1/lookup/phone/{number}", Permission: customer.PermRead,
			Endpoint: e.LookupPhone, Decode: decodeNumber},
		starter.Route{Name: "logCall", Method: "POST", Path: "/v1/calls", Permission: customer.PermWrite, Endpoint: e.LogCall,
			Decode: resource.DecodeBody[Call](nil)},
	)
}

// decodeNumber reads the {number} path value.
func decodeNumber(_ context.Context, r *http.Request) (any, error) { return r.PathValue("number"), nil }
