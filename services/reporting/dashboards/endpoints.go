package dashboards

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are the endpoints of dashboards, one per operation.
type Endpoints struct {
	List, Create, Get, Update, Delete, Copy endpoint.Endpoint
}

// pageRequest asks for a page of a list.
type pageRequest struct {
	Cursor string
	Limit  int
}

// location is the URL of the dashboard id.
func location(id string) string { return "/v1/dashboards/" + id }

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s *Service) Endpoints {
	return Endpoints{
		List: func(ctx context.Context, r any) (any, error) {
			req := r.(pageRequest)
			page, err := s.List(ctx, req.Cursor, req.Limit)
			return resource.OK(page, 0, err)
		},
		Create: func(ctx context.Context, r any) (any, error) {
			d, err := s.Create(ctx, r.(Dashboard))
			return resource.Created(d, d.Version, location(d.ID), err)
		},
		Get: func(ctx context.Context, r any) (any, error) {
			d, err := s.Get(ctx, r.(resource.IDRequest).ID)
			return resource.OK(d, d.Version, err)
		},
		Update: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.PatchRequest)
			d, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
			return resource.Updated(d, d.Version, changed, err)
		},
		Delete: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.IDRequest)
			return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
		},
		Copy: func(ctx context.Context, r any) (any, error) {
			d, err := s.Copy(ctx, r.(resource.IDRequest).ID)
			return resource.Created(d, d.Version, location(d.ID), err)
		},
	}
}
