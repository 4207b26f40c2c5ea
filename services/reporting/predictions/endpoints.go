package predictions

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are predictions' endpoints, one per operation.
type Endpoints struct {
	Models, Opportunities, Opportunity, Accounts, Account, Demand, Retrain endpoint.Endpoint
}

// pageRequest asks for a page: its cursor and size.
type pageRequest struct {
	Cursor string
	Limit  int
}

// idRequest names a record by its id; queueRequest a queue ("" every one).
type (
	idRequest    struct{ ID string }
	queueRequest struct{ Queue string }
)

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		Models: func(ctx context.Context, _ any) (any, error) {
			out, err := s.Models(ctx)
			return resource.OK(out, 0, err)
		},
		Opportunities: func(ctx context.Context, r any) (any, error) {
			req := r.(pageRequest)
			out, err := s.Opportunities(ctx, req.Cursor, req.Limit)
			return resource.OK(out, 0, err)
		},
		Opportunity: func(ctx context.Context, r any) (any, error) {
			out, err := s.Opportunity(ctx, r.(idRequest).ID)
			return resource.OK(out, 0, err)
		},
		Accounts: func(ctx context.Context, r any) (any, error) {
			req := r.(pageRequest)
			out, err := s.Accounts(ctx, req.Cursor, req.Limit)
			return resource.OK(out, 0, err)
		},
		Account: func(ctx context.Context, r any) (any, error) {
			out, err := s.Account(ctx, r.(idRequest).ID)
			return resource.OK(out, 0, err)
		},
		Demand: func(ctx context.Context, r any) (any, error) {
			out, err := s.Demand(ctx, r.(queueRequest).Queue)
			return resource.OK(out, 0, err)
		},
		Retrain: func(ctx context.Context, _ any) (any, error) {
			out, err := s.Retrain(ctx)
			return resource.OK(out, 0, err)
		},
	}
}
