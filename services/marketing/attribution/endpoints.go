package attribution

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are attribution's endpoints, one per operation.
type Endpoints struct {
	CampaignResults, ContactTouches endpoint.Endpoint
}

// touchesRequest asks for a page of a contact's touches.
type touchesRequest struct {
	ID, Cursor string
	Limit      int
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		CampaignResults: func(ctx context.Context, r any) (any, error) {
			out, err := s.Campaigns(ctx, r.(Query))
			return resource.OK(out, 0, err)
		},
		ContactTouches: func(ctx context.Context, r any) (any, error) {
			req := r.(touchesRequest)
			out, err := s.Touches(ctx, req.ID, req.Cursor, req.Limit)
			return resource.OK(out, 0, err)
		},
	}
}
