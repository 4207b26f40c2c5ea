package macros

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// renderRequest is a macro to render for a case.
type renderRequest struct {
	ID     string `json:"-"`
	CaseID string `json:"caseId"`
}

// decodeRender reads a render: {caseId}.
func decodeRender(_ context.Context, r *http.Request) (any, error) {
	var req renderRequest
	if err := kitx.Decode(r, &req, 0); err != nil {
		return nil, err
	}
	req.ID = r.PathValue("id")
	v := errs.NewValidator()
	v.Check(req.CaseID != "", "caseId", "is required")
	return req, v.Err()
}

// Routes returns the routes of macros on s, each with its permission:
// reading support:read; writing and rendering (for a reply, as the
// gateway asks support:write of a POST) support:write, and the service
// asks support:admin of a shared macro's writes. api/openapi.yaml
// documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listSupportMacros", Method: "GET", Path: "/v1/support-macros", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.List(ctx)
				return resource.OK(resource.List[Macro]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createSupportMacro", Method: "POST", Path: "/v1/support-macros", Permission: supportdb.PermWrite,
			Decode: resource.DecodeBody[Macro](createReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				m, err := s.Create(ctx, r.(Macro))
				if err != nil {
					return nil, err
				}
				return resource.Created(m, m.Version, "/v1/support-macros/"+m.ID, nil)
			}},
		starter.Route{Name: "getSupportMacro", Method: "GET", Path: "/v1/support-macros/{id}", Permission: supportdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				m, err := s.Get(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(m, m.Version, nil)
			}},
		starter.Route{Name: "updateSupportMacro", Method: "PATCH", Path: "/v1/support-macros/{id}", Permission: supportdb.PermWrite,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				m, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.OK(m, m.Version, nil)
			}},
		starter.Route{Name: "deleteSupportMacro", Method: "DELETE", Path: "/v1/support-macros/{id}", Permission: supportdb.PermWrite,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "renderSupportMacro", Method: "POST", Path: "/v1/support-macros/{id}/render", Permission: supportdb.PermWrite,
			Decode: decodeRender,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(renderRequest)
				out, err := s.Render(ctx, req.ID, req.CaseID)
				return resource.OK(out, 0, err)
			}},
	)
}
