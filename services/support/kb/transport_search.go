package kb

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// The bounds of a search's and a suggestion's query.
const (
	maxQuery           = 500
	maxSuggestionText  = 10_000
	defaultSearchLimit = 10
	maxSearchLimit     = 50
	defaultSuggestions = 5
	maxSuggestions     = 20
)

// hits is the body of a search's answer.
type hits struct {
	Items []Hit `json:"items"`
}

// searchRoutes are the routes of search and suggestions.
func searchRoutes(s Service) []starter.Route {
	search := func(ctx context.Context, r any) (any, error) {
		list, err := s.Search(ctx, r.(SearchQuery))
		return resource.OK(hits{Items: list}, 0, err)
	}
	return []starter.Route{
		{Name: "searchKB", Method: "GET", Path: "/v1/kb/search", Permission: supportdb.PermRead, Decode: decodeSearch, Endpoint: search},
		{Name: "suggestKBArticles", Method: "GET", Path: "/v1/kb/suggestions", Permission: supportdb.PermRead, Decode: decodeSuggestions,
			Endpoint: search},
	}
}

// decodeSearch reads a search's query, naming each bad parameter: every
// term of q must match; the published articles unless state says
// otherwise.
func decodeSearch(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	v := errs.NewValidator()
	sq := SearchQuery{Text: queryText(v, q, "q", maxQuery), All: true, State: q.Get("state"), Locale: queryLocale(v, q),
		Visibility: queryVisibility(v, q), CategoryID: queryCategory(v, q), Limit: queryLimit(v, q, defaultSearchLimit, maxSearchLimit)}
	v.Check(oneOf(sq.State, StateDraft, StatePublished, StateArchived), "state", "must be draft, published or archived")
	if sq.State == "" {
		sq.State = StatePublished
	}
	return sq, v.Err()
}

// decodeSuggestions reads a suggestion's query: the published articles
// that match any word of text best.
func decodeSuggestions(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	v := errs.NewValidator()
	sq := SearchQuery{Text: queryText(v, q, "text", maxSuggestionText), State: StatePublished, Locale: queryLocale(v, q),
		Visibility: queryVisibility(v, q), Limit: queryLimit(v, q, defaultSuggestions, maxSuggestions)}
	return sq, v.Err()
}
