package attribution

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// dateLayout is the layout of a report's from and to: a calendar date,
// in UTC.
const dateLayout = time.DateOnly

// Routes returns attribution's routes on s, each with its permission
// (reads: marketing:read). api/openapi.yaml documents each (Name is its
// operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	return []starter.Route{
		{Name: "listCampaignAttribution", Method: "GET", Path: "/v1/attribution/campaigns", Permission: marketingdb.PermRead,
			Endpoint: e.CampaignResults, Decode: decodeQuery},
		{Name: "listContactTouches", Method: "GET", Path: "/v1/attribution/contacts/{id}/touches", Permission: marketingdb.PermRead,
			Endpoint: e.ContactTouches, Decode: decodeTouches},
	}
}

// decodeQuery reads a report's query: model (first_touch, last_touch or
// linear; linear when absent), from and to (dates, both included).
func decodeQuery(_ context.Context, r *http.Request) (any, error) {
	values := r.URL.Query()
	q := Query{Model: values.Get("model")}
	if q.Model == "" {
		q.Model = attribution.ModelLinear
	}
	v := errs.NewValidator()
	v.Check(slices.Contains(attribution.Models, q.Model), "model", "must be first_touch, last_touch or linear")
	from, fromOK := date(values.Get("from"))
	v.Check(fromOK, "from", "must be a date (YYYY-MM-DD)")
	to, toOK := date(values.Get("to"))
	v.Check(toOK, "to", "must be a date (YYYY-MM-DD)")
	if !to.IsZero() {
		q.To = to.AddDate(0, 0, 1)
	}
	q.From = from
	v.Check(from.IsZero() || to.IsZero() || !to.Before(from), "to", "must not be before from")
	return q, v.Err()
}

// date reads s, a date ("" is the zero time); ok false when it is none.
func date(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	d, err := time.Parse(dateLayout, s)
	return d, err == nil
}

// decodeTouches reads a page's request of a contact's touches: the id,
// limit and cursor.
func decodeTouches(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	return touchesRequest{ID: r.PathValue("id"), Cursor: r.URL.Query().Get("cursor"), Limit: limit}, nil
}
