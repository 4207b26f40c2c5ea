package templates

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// listRequest is a page of templates: an optional channel, a cursor and
// a limit.
type listRequest struct {
	Channel, Cursor string
	Limit           int
}

// decodeList reads ?channel=&cursor=&limit=.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	req := listRequest{Channel: q.Get("channel"), Cursor: q.Get("cursor"), Limit: limit}
	v := errs.NewValidator()
	v.Check(req.Channel == "" || req.Channel == ChannelEmail || req.Channel == ChannelSMS, "channel", "must be email or sms")
	return req, v.Err()
}

// previewRequest is a template to preview for a contact.
type previewRequest struct {
	ID        string `json:"-"`
	ContactID string `json:"contactId"`
}

// decodePreview reads a preview: {contactId}.
func decodePreview(_ context.Context, r *http.Request) (any, error) {
	var req previewRequest
	if err := kitx.Decode(r, &req, 0); err != nil {
		return nil, err
	}
	req.ID = r.PathValue("id")
	v := errs.NewValidator()
	v.Check(req.ContactID != "", "contactId", "is required")
	return req, v.Err()
}

// Routes returns the routes of templates on s, each with its permission:
// reading marketing:read; writing and previewing marketing:write.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listTemplates", Method: "GET", Path: "/v1/templates", Permission: marketingdb.PermRead,
			Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.List(ctx, req.Channel, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createTemplate", Method: "POST", Path: "/v1/templates", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeBody[Template](createReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				t, err := s.Create(ctx, r.(Template))
				return resource.Created(t, t.Version, "/v1/templates/"+t.ID, err)
			}},
		starter.Route{Name: "getTemplate", Method: "GET", Path: "/v1/templates/{id}", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				t, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(t, t.Version, err)
			}},
		starter.Route{Name: "updateTemplate", Method: "PATCH", Path: "/v1/templates/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				t, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(t, t.Version, changed, err)
			}},
		starter.Route{Name: "deleteTemplate", Method: "DELETE", Path: "/v1/templates/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "previewTemplate", Method: "POST", Path: "/v1/templates/{id}/preview", Permission: marketingdb.PermWrite,
			Decode: decodePreview,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(previewRequest)
				p, err := s.Preview(ctx, req.ID, req.ContactID)
				return resource.OK(p, 0, err)
			}},
	)
}
