package deals

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
)

// setLineItemsRequest is a PUT of an opportunity's line items.
type setLineItemsRequest struct {
	ID      string
	IfMatch int64
	Body    LineItemsInput
}

// LineItemRoutes returns the routes of opportunities' line items on s:
// reading needs sales:read, setting them sales:write, within the caller's
// record scope. The ETag is the opportunity's version.
func LineItemRoutes(s LineItemService) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "getOpportunityLineItems", Method: "GET", Path: "/v1/opportunities/{id}/line-items", Permission: PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				l, err := s.LineItems(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(l, l.Version, nil)
			}},
		starter.Route{Name: "setOpportunityLineItems", Method: "PUT", Path: "/v1/opportunities/{id}/line-items", Permission: PermWrite,
			Decode: decodeSetLineItems,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(setLineItemsRequest)
				l, changed, err := s.SetLineItems(ctx, req.ID, req.IfMatch, req.Body)
				if err != nil {
					return nil, err
				}
				return resource.Updated(l, l.Version, changed, nil)
			}},
	)
}

// decodeSetLineItems reads a PUT of line items with its If-Match.
func decodeSetLineItems(_ context.Context, r *http.Request) (any, error) {
	v, _, err := kitx.ParseIfMatch(r)
	if err != nil {
		return nil, err
	}
	req := setLineItemsRequest{ID: r.PathValue("id"), IfMatch: v}
	return req, kitx.Decode(r, &req.Body, 0)
}
