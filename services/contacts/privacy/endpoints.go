package privacy

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are the endpoints of personal data, one per operation.
type Endpoints struct {
	Export, Erase endpoint.Endpoint
}

// eraseRequest asks for the erasure of a contact, at the version of an
// If-Match (0: none).
type eraseRequest struct {
	resource.IDRequest
	Body EraseRequest
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		Export: func(ctx context.Context, r any) (any, error) {
			data, err := s.Export(ctx, r.(resource.IDRequest).ID)
			return resource.OK(data, 0, err)
		},
		Erase: func(ctx context.Context, r any) (any, error) {
			req := r.(eraseRequest)
			e, err := s.Erase(ctx, req.ID, req.IfMatch, req.Body)
			return resource.OK(e, 0, err)
		},
	}
}
