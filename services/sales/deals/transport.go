package deals

import (
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
)

// Routes returns the pipelines' routes on s, each with the permission it
// needs: pipelines are read with sales:read; creating, changing and
// deleting them, tenant-wide configuration, needs sales:admin.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	return resource.Routes(
		starter.Route{Name: "listPipelines", Method: "GET", Path: "/v1/pipelines", Permission: PermRead, Endpoint: e.ListPipelines},
		starter.Route{Name: "createPipeline", Method: "POST", Path: "/v1/pipelines", Permission: PermAdmin, Endpoint: e.CreatePipeline,
			Decode: resource.DecodeBody[Pipeline](readOnlyFields)},
		starter.Route{Name: "getPipeline", Method: "GET", Path: "/v1/pipelines/{id}", Permission: PermRead, Endpoint: e.GetPipeline, Decode: resource.DecodeID},
		starter.Route{Name: "updatePipeline", Method: "PATCH", Path: "/v1/pipelines/{id}", Permission: PermAdmin, Endpoint: e.UpdatePipeline,
			Decode: resource.DecodePatch},
		starter.Route{Name: "deletePipeline", Method: "DELETE", Path: "/v1/pipelines/{id}", Permission: PermAdmin, Endpoint: e.DeletePipeline,
			Decode: resource.DecodeID},
	)
}
