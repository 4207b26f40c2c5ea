package timeline

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are the endpoints of timelines, one per operation.
type Endpoints struct {
	Contact, Account endpoint.Endpoint
}

// request asks for a page of a record's timeline.
type request struct {
	ID    string
	Query Query
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		Contact: func(ctx context.Context, r any) (any, error) {
			req := r.(request)
			page, err := s.Contact(ctx, req.ID, req.Query)
			return resource.OK(&page, 0, err)
		},
		Account: func(ctx context.Context, r any) (any, error) {
			req := r.(request)
			page, err := s.Account(ctx, req.ID, req.Query)
			return resource.OK(&page, 0, err)
		},
	}
}
