package contacts

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// consentHistoryRequest asks for a page of a contact's consent history.
type consentHistoryRequest struct {
	ID    string
	Query ConsentHistoryQuery
}

// decodeConsentHistory reads the contact id, limit, cursor and channel.
func decodeConsentHistory(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return consentHistoryRequest{ID: r.PathValue("id"),
		Query: ConsentHistoryQuery{Channel: q.Get("channel"), Limit: limit, Cursor: q.Get("cursor")}}, nil
}
