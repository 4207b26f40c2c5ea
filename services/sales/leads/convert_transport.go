package leads

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/idempotency"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// convertRequest is a conversion of the lead ID in the attempt its
// Idempotency-Key names.
type convertRequest struct {
	ID, Attempt string
	Body        ConvertRequest
}

// ConvertRoutes returns the conversion's route on c: sales:write, within
// the caller's record scope; contacts then asks its own permissions of the
// caller (contacts:write to create, contacts:read to find).
// api/openapi.yaml documents it.
func ConvertRoutes(c Converter) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "convertLead", Method: "POST", Path: "/v1/leads/{id}/convert", Permission: deals.PermWrite, Decode: decodeConvert,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(convertRequest)
				out, err := c.Convert(ctx, req.ID, req.Attempt, req.Body)
				if err != nil {
					return nil, err
				}
				return resource.OK(out, out.Lead.Version, nil)
			}},
	)
}

// decodeConvert reads a conversion: the lead's id, the body (strictly; an
// empty object converts as the defaults say) and the attempt.
func decodeConvert(_ context.Context, r *http.Request) (any, error) {
	req := convertRequest{ID: r.PathValue("id"), Attempt: r.Header.Get(idempotency.Header)}
	return req, kitx.Decode(r, &req.Body, 0)
}
