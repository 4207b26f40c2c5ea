package search

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/api"
)

// searchBody is the body of POST /v1/contacts/search and
// /v1/accounts/search: the list parameters, for filters too long for a URL.
type searchBody struct {
	Filter json.RawMessage `json:"filter,omitempty"`
	Q      string          `json:"q,omitempty"`
	Sort   string          `json:"sort,omitempty"`
	View   string          `json:"view,omitempty"`
	Limit  int             `json:"limit,omitempty"`
	Cursor string          `json:"cursor,omitempty"`
}

// Routes returns the routes of lists, searches, exports and saved views on
// s, each with the permission it needs: all read with contacts:read.
// Saved views need only contacts:read too: a view is a saved query, and the
// service lets only its owner (or, for a shared one, contacts:admin) change
// it. api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	read := customer.PermRead
	return resource.Routes(
		starter.Route{Name: "listContacts", Method: "GET", Path: "/v1/contacts", Permission: read, Endpoint: e.ListContacts, Decode: decodeList},
		starter.Route{Name: "searchContacts", Method: "POST", Path: "/v1/contacts/search", Permission: read, Endpoint: e.ListContacts,
			Decode: decodeSearch},
		starter.Route{Name: "exportContacts", Method: "GET", Path: "/v1/contacts/export", Permission: read, Endpoint: e.ExportContacts,
			Decode: decodeExport, Encode: encodeExport},
		starter.Route{Name: "listAccounts", Method: "GET", Path: "/v1/accounts", Permission: read, Endpoint: e.ListAccounts, Decode: decodeList},
		starter.Route{Name: "searchAccounts", Method: "POST", Path: "/v1/accounts/search", Permission: read, Endpoint: e.ListAccounts,
			Decode: decodeSearch},
		starter.Route{Name: "exportAccounts", Method: "GET", Path: "/v1/accounts/export", Permission: read, Endpoint: e.ExportAccounts,
			Decode: decodeExport, Encode: encodeExport},

		starter.Route{Name: "listViews", Method: "GET", Path: "/v1/saved-views", Permission: read, Endpoint: e.ListViews, Decode: api.DecodeList},
		starter.Route{Name: "createView", Method: "POST", Path: "/v1/saved-views", Permission: read, Endpoint: e.CreateView,
			Decode: resource.DecodeBody[SavedView](viewReadOnlyFields)},
		starter.Route{Name: "getView", Method: "GET", Path: "/v1/saved-views/{id}", Permission: read, Endpoint: e.GetView, Decode: resource.DecodeID},
		starter.Route{Name: "updateView", Method: "PATCH", Path: "/v1/saved-views/{id}", Permission: read, Endpoint: e.UpdateView,
			Decode: resource.DecodePatch},
		starter.Route{Name: "deleteView", Method: "DELETE", Path: "/v1/saved-views/{id}", Permission: read, Endpoint: e.DeleteView,
			Decode: resource.DecodeID},
	)
}

// decodeList reads the list parameters (api.ReadList) as a ListQuery.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	p, err := api.ReadList(r)
	if err != nil {
		return nil, err
	}
	return ListQuery{Limit: p.Limit, Cursor: p.Cursor, Deleted: p.Deleted, Q: p.Q, Filter: p.Filter, Sort: p.Sort, View: p.View}, nil
}

// decodeSearch reads a searchBody as a ListQuery.
func decodeSearch(_ context.Context, r *http.Request) (any, error) {
	var b searchBody
	if err := kitx.Decode(r, &b, 0); err != nil {
		return nil, err
	}
	if b.Limit == 0 {
		b.Limit = kitx.DefaultLimit
	}
	if b.Limit < 1 || b.Limit > kitx.MaxLimit {
		reason := fmt.Sprintf("must be an integer from 1 to %d", kitx.MaxLimit)
		e := kitx.ErrBadLimit.WithDetail("limit %d %s", b.Limit, reason)
		e.Fields = []errs.FieldError{{Field: "limit", Reason: reason}}
		return nil, e
	}
	return ListQuery{Limit: b.Limit, Cursor: b.Cursor, Q: b.Q, Filter: b.Filter, Sort: b.Sort, View: b.View}, nil
}
