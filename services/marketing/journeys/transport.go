package journeys

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// listRequest is a page of a list: the journey ({id}, for enrolments), a
// cursor and a limit.
type listRequest struct {
	ID, Cursor string
	Limit      int
}

// decodeList reads {id}, ?cursor= and ?limit=.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	return listRequest{ID: r.PathValue("id"), Cursor: r.URL.Query().Get("cursor"), Limit: limit}, err
}

// Routes returns the routes of journeys on s, each with its permission:
// reading marketing:read, writing marketing:write. api/openapi.yaml
// documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listJourneys", Method: "GET", Path: "/v1/journeys", Permission: marketingdb.PermRead,
			Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.List(ctx, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createJourney", Method: "POST", Path: "/v1/journeys", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeBody[Journey](readOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				j, err := s.Create(ctx, r.(Journey))
				return resource.Created(j, j.Version, "/v1/journeys/"+j.ID, err)
			}},
		starter.Route{Name: "getJourney", Method: "GET", Path: "/v1/journeys/{id}", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				j, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(j, j.Version, err)
			}},
		starter.Route{Name: "updateJourney", Method: "PATCH", Path: "/v1/journeys/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				j, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(j, j.Version, changed, err)
			}},
		starter.Route{Name: "deleteJourney", Method: "DELETE", Path: "/v1/journeys/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listJourneyEnrolments", Method: "GET", Path: "/v1/journeys/{id}/enrolments", Permission: marketingdb.PermRead,
			Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.Enrolments(ctx, req.ID, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
	)
}
