package kb

import (
	"context"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// categoryRoutes are the routes of categories: reading support:read,
// changing support:admin.
func categoryRoutes(s Service) []starter.Route {
	return []starter.Route{
		{Name: "listKBCategories", Method: "GET", Path: "/v1/kb/categories", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListCategories(ctx)
				return resource.OK(resource.List[Category]{Items: list}, 0, err)
			}},
		{Name: "createKBCategory", Method: "POST", Path: "/v1/kb/categories", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[Category](categoryReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.CreateCategory(ctx, r.(Category))
				if err != nil {
					return nil, err
				}
				return resource.Created(c, c.Version, "/v1/kb/categories/"+c.ID, nil)
			}},
		{Name: "getKBCategory", Method: "GET", Path: "/v1/kb/categories/{id}", Permission: supportdb.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.GetCategory(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(c, c.Version, nil)
			}},
		{Name: "updateKBCategory", Method: "PATCH", Path: "/v1/kb/categories/{id}", Permission: supportdb.PermAdmin, Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				c, changed, err := s.UpdateCategory(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(c, c.Version, changed, nil)
			}},
		{Name: "deleteKBCategory", Method: "DELETE", Path: "/v1/kb/categories/{id}", Permission: supportdb.PermAdmin, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteCategory(ctx, req.ID, req.IfMatch)
			}},
	}
}
