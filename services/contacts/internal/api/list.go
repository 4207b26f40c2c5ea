// Package api is what the contexts' transports share beyond libs/resource:
// the list parameters of the contacts service (a page, live or deleted
// records, a search, a filter, a sort, a saved view, an entity). The error
// encoder, which knows the domain's redirects and conflicts, is the
// contacts package's.
package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// ErrBadDeleted is returned for a "deleted" query parameter that is not a boolean.
var ErrBadDeleted = errs.New(errs.Invalid, "invalid-deleted", "deleted must be true or false")

// ListParams are the query parameters of a list: a page (limit, cursor),
// live or deleted records, and what to list (q, filter, sort, a saved view,
// an entity).
type ListParams struct {
	Limit   int
	Cursor  string
	Deleted bool
	Q       string
	Filter  json.RawMessage
	Sort    string
	View    string
	Entity  string
}

// DecodeList reads the list parameters; limit and deleted are checked here
// (kitx.Limit), the rest by the service.
func DecodeList(_ context.Context, r *http.Request) (any, error) {
	return ReadList(r)
}

// ReadList reads r's list parameters (DecodeList).
func ReadList(r *http.Request) (ListParams, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return ListParams{}, err
	}
	q := r.URL.Query()
	p := ListParams{Limit: limit, Cursor: q.Get("cursor"), Q: q.Get("q"), Sort: q.Get("sort"), View: q.Get("view"), Entity: q.Get("entity")}
	if f := q.Get("filter"); f != "" {
		p.Filter = json.RawMessage(f)
	}
	switch q.Get("deleted") {
	case "", "false":
	case "true":
		p.Deleted = true
	default:
		e := ErrBadDeleted.WithDetail("deleted %q must be true or false", q.Get("deleted"))
		e.Fields = []errs.FieldError{{Field: "deleted", Reason: "must be true or false"}}
		return ListParams{}, e
	}
	return p, nil
}
