package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
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

// decodeSearch reads a searchBody as a listRequest.
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
	return listRequest{Query: ListQuery{Limit: b.Limit, Cursor: b.Cursor, Q: b.Q, Filter: b.Filter, Sort: b.Sort, View: b.View}}, nil
}
