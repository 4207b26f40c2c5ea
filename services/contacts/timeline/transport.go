package timeline

import (
	"context"
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Routes returns the routes of timelines on s, reads with contacts:read.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	return resource.Routes(
		starter.Route{Name: "contactTimeline", Method: "GET", Path: "/v1/contacts/{id}/timeline", Permission: customer.PermRead,
			Endpoint: e.Contact, Decode: decode},
		starter.Route{Name: "accountTimeline", Method: "GET", Path: "/v1/accounts/{id}/timeline", Permission: customer.PermRead,
			Endpoint: e.Account, Decode: decode},
	)
}

// decode reads the record's id, the type filter (comma-separated), limit
// and cursor.
func decode(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	var types []string
	if s := q.Get("type"); s != "" {
		types = strings.Split(s, ",")
	}
	return request{ID: r.PathValue("id"), Query: Query{Types: types, Limit: limit, Cursor: q.Get("cursor")}}, nil
}
