package dashboards

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// decodePage reads ?cursor=&limit=.
func decodePage(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	return pageRequest{Cursor: r.URL.Query().Get("cursor"), Limit: limit}, err
}

// Routes returns the routes of dashboards on e, each with its permission:
// reading reporting:read, writing reporting:write (the service lets only
// the owner or a reporting:admin change one). api/openapi.yaml documents
// each (Name is its operationId).
func Routes(e Endpoints) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listDashboards", Method: "GET", Path: "/v1/dashboards", Permission: rm.PermRead,
			Decode: decodePage, Endpoint: e.List},
		starter.Route{Name: "createDashboard", Method: "POST", Path: "/v1/dashboards", Permission: rm.PermWrite,
			Decode: resource.DecodeBody[Dashboard](readOnly), Endpoint: e.Create},
		starter.Route{Name: "getDashboard", Method: "GET", Path: "/v1/dashboards/{id}", Permission: rm.PermRead,
			Decode: resource.DecodeID, Endpoint: e.Get},
		starter.Route{Name: "updateDashboard", Method: "PATCH", Path: "/v1/dashboards/{id}", Permission: rm.PermWrite,
			Decode: resource.DecodePatch, Endpoint: e.Update},
		starter.Route{Name: "deleteDashboard", Method: "DELETE", Path: "/v1/dashboards/{id}", Permission: rm.PermWrite,
			Decode: resource.DecodeID, Endpoint: e.Delete},
		starter.Route{Name: "copyDashboard", Method: "POST", Path: "/v1/dashboards/{id}/copy", Permission: rm.PermWrite,
			Decode: resource.DecodeID, Endpoint: e.Copy},
	)
}
