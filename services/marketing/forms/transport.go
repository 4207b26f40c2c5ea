package forms

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// listRequest is a page of a list: its limit and cursor, and the form's
// id of a list of submissions.
type listRequest struct {
	ID, Cursor string
	Limit      int
}

// decodeList reads a list's limit and cursor and the {id} of its form.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	n, err := kitx.Limit(r)
	return listRequest{ID: r.PathValue("id"), Cursor: r.URL.Query().Get("cursor"), Limit: n}, err
}

// Routes returns the routes of forms on s, each with its permission:
// reading marketing:read, building forms marketing:write, and the public
// routes (publicRoutes) marketing:public. api/openapi.yaml documents each
// (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return append(resource.Routes(
		starter.Route{Name: "listMarketingForms", Method: "GET", Path: "/v1/forms", Permission: marketingdb.PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.List(ctx, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createMarketingForm", Method: "POST", Path: "/v1/forms", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeBody[Form](readOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				f, err := s.Create(ctx, r.(Form))
				if err != nil {
					return nil, err
				}
				return resource.Created(f, f.Version, "/v1/forms/"+f.ID, nil)
			}},
		starter.Route{Name: "getMarketingForm", Method: "GET", Path: "/v1/forms/{id}", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				f, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(f, f.Version, err)
			}},
		starter.Route{Name: "updateMarketingForm", Method: "PATCH", Path: "/v1/forms/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				f, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(f, f.Version, changed, err)
			}},
		starter.Route{Name: "deleteMarketingForm", Method: "DELETE", Path: "/v1/forms/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "getMarketingFormSnippet", Method: "GET", Path: "/v1/forms/{id}/snippet", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Snippet(ctx, r.(resource.IDRequest).ID)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "listMarketingFormSubmissions", Method: "GET", Path: "/v1/forms/{id}/submissions", Permission: marketingdb.PermRead,
			Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.Submissions(ctx, req.ID, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
	), publicRoutes(s)...)
}
