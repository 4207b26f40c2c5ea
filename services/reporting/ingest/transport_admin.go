package ingest

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// Routes returns the routes of rebuilds and freshness, each with its
// permission: starting a rebuild and reading its status reporting:admin
// (the gateway asks reporting:write of a POST, reporting:read of a GET),
// freshness reporting:read. api/openapi.yaml documents each (Name is its
// operationId).
func Routes(rebuilder *Rebuilder, freshness *FreshnessService) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "rebuildReadModels", Method: "POST", Path: "/admin/v1/rebuild", Permission: rm.PermAdmin,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := rebuilder.Start(ctx)
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: out, Status: http.StatusAccepted, Location: "/admin/v1/rebuild"}, nil
			}},
		starter.Route{Name: "getRebuild", Method: "GET", Path: "/admin/v1/rebuild", Permission: rm.PermAdmin,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := rebuilder.Status(ctx)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "getReportsFreshness", Method: "GET", Path: "/v1/reports/freshness", Permission: rm.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := freshness.Freshness(ctx)
				return resource.OK(out, 0, err)
			}},
	)
}
