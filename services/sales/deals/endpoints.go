package deals

import (
	"context"
	"net/http"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are the pipelines' endpoints, one per operation.
type Endpoints struct {
	ListPipelines, CreatePipeline, GetPipeline, UpdatePipeline, DeletePipeline endpoint.Endpoint
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		ListPipelines: func(ctx context.Context, _ any) (any, error) {
			list, err := s.ListPipelines(ctx)
			if err != nil {
				return nil, err
			}
			return resource.Response{Body: resource.List[Pipeline]{Items: list}}, nil
		},
		CreatePipeline: func(ctx context.Context, r any) (any, error) {
			p, err := s.CreatePipeline(ctx, r.(Pipeline))
			if err != nil {
				return nil, err
			}
			return resource.Response{Body: p, Status: http.StatusCreated, Version: p.Version, Location: "/v1/pipelines/" + p.ID}, nil
		},
		GetPipeline: func(ctx context.Context, r any) (any, error) {
			p, err := s.GetPipeline(ctx, r.(resource.IDRequest).ID)
			if err != nil {
				return nil, err
			}
			return resource.Response{Body: p, Version: p.Version}, nil
		},
		UpdatePipeline: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.PatchRequest)
			p, changed, err := s.UpdatePipeline(ctx, req.ID, req.IfMatch, req.Patch)
			if err != nil {
				return nil, err
			}
			return resource.Response{Body: p, Version: p.Version, Changed: changed}, nil
		},
		DeletePipeline: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.IDRequest)
			return resource.NoContent{}, s.DeletePipeline(ctx, req.ID, req.IfMatch)
		},
	}
}
