package catalog

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/contacts/internal/api"
)

// Endpoints are the catalogue's endpoints, one per operation.
type Endpoints struct {
	CreateTag, GetTag, UpdateTag, DeleteTag, ListTags                                         endpoint.Endpoint
	CreateCustomField, GetCustomField, UpdateCustomField, DeleteCustomField, ListCustomFields endpoint.Endpoint
	GetSettings, PutSettings                                                                  endpoint.Endpoint
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		CreateTag: func(ctx context.Context, r any) (any, error) {
			t, err := s.CreateTag(ctx, r.(tags.Tag))
			if err != nil {
				return nil, err
			}
			return resource.Created(t, t.Version, "/v1/tags/"+t.ID, nil)
		},
		GetTag: func(ctx context.Context, r any) (any, error) {
			t, err := s.GetTag(ctx, r.(resource.IDRequest).ID)
			if err != nil {
				return nil, err
			}
			return resource.OK(t, t.Version, nil)
		},
		UpdateTag: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.PatchRequest)
			t, err := s.UpdateTag(ctx, req.ID, req.IfMatch, req.Patch)
			if err != nil {
				return nil, err
			}
			return resource.OK(t, t.Version, nil)
		},
		DeleteTag: func(ctx context.Context, r any) (any, error) {
			return resource.NoContent{}, s.DeleteTag(ctx, r.(resource.IDRequest).ID)
		},
		ListTags: func(ctx context.Context, _ any) (any, error) {
			list, err := s.ListTags(ctx)
			return resource.OK(&resource.List[tags.Tag]{Items: list}, 0, err)
		},
		CreateCustomField: func(ctx context.Context, r any) (any, error) {
			d, err := s.CreateCustomField(ctx, r.(customfields.Field))
			if err != nil {
				return nil, err
			}
			return resource.Created(d, d.Version, "/v1/custom-fields/"+d.ID, nil)
		},
		GetCustomField: func(ctx context.Context, r any) (any, error) {
			d, err := s.GetCustomField(ctx, r.(resource.IDRequest).ID)
			if err != nil {
				return nil, err
			}
			return resource.OK(d, d.Version, nil)
		},
		UpdateCustomField: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.PatchRequest)
			d, err := s.UpdateCustomField(ctx, req.ID, req.IfMatch, req.Patch)
			if err != nil {
				return nil, err
			}
			return resource.OK(d, d.Version, nil)
		},
		DeleteCustomField: func(ctx context.Context, r any) (any, error) {
			return resource.NoContent{}, s.DeleteCustomField(ctx, r.(resource.IDRequest).ID)
		},
		ListCustomFields: func(ctx context.Context, r any) (any, error) {
			defs, err := s.ListCustomFields(ctx, r.(api.ListParams).Entity)
			return resource.OK(&resource.List[customfields.Field]{Items: defs}, 0, err)
		},
		GetSettings: func(ctx context.Context, _ any) (any, error) {
			st, err := s.GetSettings(ctx)
			return resource.OK(st, 0, err)
		},
		PutSettings: func(ctx context.Context, r any) (any, error) {
			st, err := s.PutSettings(ctx, r.(Settings))
			return resource.OK(st, 0, err)
		},
	}
}
