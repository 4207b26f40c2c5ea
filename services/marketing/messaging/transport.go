package messaging

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// listRequest is a page of a list.
type listRequest struct {
	Cursor string
	Limit  int
}

// decodeList reads ?cursor=&limit=.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	return listRequest{Cursor: r.URL.Query().Get("cursor"), Limit: limit}, err
}

// decodeSettings reads the body of PUT /v1/marketing-settings.
func decodeSettings(_ context.Context, r *http.Request) (any, error) {
	var in Settings
	return in, kitx.Decode(r, &in, 0)
}

// decodeNewSend reads the body of POST /v1/sends.
func decodeNewSend(_ context.Context, r *http.Request) (any, error) {
	var in NewSend
	return in, kitx.Decode(r, &in, 0)
}

// Routes returns the routes of sends and the sending settings on s, each
// with its permission: reading marketing:read, sending and canceling
// marketing:send, the settings marketing:admin. api/openapi.yaml
// documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "getMarketingSettings", Method: "GET", Path: "/v1/marketing-settings", Permission: marketingdb.PermAdmin,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := s.Settings(ctx)
				return resource.OK(out, out.Version, err)
			}},
		starter.Route{Name: "putMarketingSettings", Method: "PUT", Path: "/v1/marketing-settings", Permission: marketingdb.PermAdmin,
			Decode: decodeSettings,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.PutSettings(ctx, r.(Settings))
				return resource.OK(out, out.Version, err)
			}},
		starter.Route{Name: "listSends", Method: "GET", Path: "/v1/sends", Permission: marketingdb.PermRead,
			Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				out, err := s.List(ctx, req.Cursor, req.Limit)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "createSend", Method: "POST", Path: "/v1/sends", Permission: marketingdb.PermSend,
			Decode: decodeNewSend,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Create(ctx, r.(NewSend))
				return resource.Created(out, out.Version, "/v1/sends/"+out.ID, err)
			}},
		starter.Route{Name: "getSend", Method: "GET", Path: "/v1/sends/{id}", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(out, out.Version, err)
			}},
		starter.Route{Name: "cancelSend", Method: "POST", Path: "/v1/sends/{id}/cancel", Permission: marketingdb.PermSend,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Cancel(ctx, r.(resource.IDRequest).ID)
				return resource.OK(out, out.Version, err)
			}},
	)
}
