package sla

import (
	"context"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Routes returns SLA's routes on s, each with its permission: reading
// support:read, configuring calendars and policies support:admin.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listBusinessCalendars", Method: "GET", Path: "/v1/business-calendars", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListCalendars(ctx)
				return resource.OK(resource.List[BusinessCalendar]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createBusinessCalendar", Method: "POST", Path: "/v1/business-calendars", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[BusinessCalendar](calendarReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				b, err := s.CreateCalendar(ctx, r.(BusinessCalendar))
				if err != nil {
					return nil, err
				}
				return resource.Created(b, b.Version, "/v1/business-calendars/"+b.ID, nil)
			}},
		starter.Route{Name: "getBusinessCalendar", Method: "GET", Path: "/v1/business-calendars/{id}", Permission: supportdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				b, err := s.GetCalendar(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(b, b.Version, nil)
			}},
		starter.Route{Name: "updateBusinessCalendar", Method: "PATCH", Path: "/v1/business-calendars/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				b, changed, err := s.UpdateCalendar(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(b, b.Version, changed, nil)
			}},
		starter.Route{Name: "deleteBusinessCalendar", Method: "DELETE", Path: "/v1/business-calendars/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteCalendar(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listSLAPolicies", Method: "GET", Path: "/v1/sla-policies", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListPolicies(ctx)
				return resource.OK(resource.List[Policy]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createSLAPolicy", Method: "POST", Path: "/v1/sla-policies", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[Policy](policyReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				p, err := s.CreatePolicy(ctx, r.(Policy))
				if err != nil {
					return nil, err
				}
				return resource.Created(p, p.Version, "/v1/sla-policies/"+p.ID, nil)
			}},
		starter.Route{Name: "getSLAPolicy", Method: "GET", Path: "/v1/sla-policies/{id}", Permission: supportdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				p, err := s.GetPolicy(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(p, p.Version, nil)
			}},
		starter.Route{Name: "updateSLAPolicy", Method: "PATCH", Path: "/v1/sla-policies/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				p, changed, err := s.UpdatePolicy(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(p, p.Version, changed, nil)
			}},
		starter.Route{Name: "deleteSLAPolicy", Method: "DELETE", Path: "/v1/sla-policies/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeletePolicy(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "getCaseSLA", Method: "GET", Path: "/v1/cases/{id}/sla", Permission: supportdb.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.CaseSLA(ctx, r.(resource.IDRequest).ID)
				return resource.OK(out, 0, err)
			}},
	)
}
