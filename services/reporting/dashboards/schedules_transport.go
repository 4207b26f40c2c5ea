package dashboards

import (
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// ScheduleRoutes returns the routes of report schedules on e, each with
// its permission: reading reporting:read, writing reporting:write (the
// service lets only the owner or a reporting:admin see or change one).
// api/openapi.yaml documents each (Name is its operationId).
func ScheduleRoutes(e ScheduleEndpoints) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listReportSchedules", Method: "GET", Path: "/v1/report-schedules", Permission: rm.PermRead,
			Decode: decodePage, Endpoint: e.List},
		starter.Route{Name: "createReportSchedule", Method: "POST", Path: "/v1/report-schedules", Permission: rm.PermWrite,
			Decode: resource.DecodeBody[Schedule](scheduleReadOnly), Endpoint: e.Create},
		starter.Route{Name: "getReportSchedule", Method: "GET", Path: "/v1/report-schedules/{id}", Permission: rm.PermRead,
			Decode: resource.DecodeID, Endpoint: e.Get},
		starter.Route{Name: "updateReportSchedule", Method: "PATCH", Path: "/v1/report-schedules/{id}", Permission: rm.PermWrite,
			Decode: resource.DecodePatch, Endpoint: e.Update},
		starter.Route{Name: "deleteReportSchedule", Method: "DELETE", Path: "/v1/report-schedules/{id}", Permission: rm.PermWrite,
			Decode: resource.DecodeID, Endpoint: e.Delete},
	)
}
