package leads

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// ruleOrder is the body of a reorder: every rule's id, in the new order.
type ruleOrder struct {
	IDs []string `json:"ids"`
}

// createRequest is a lead to create, and whether the assignment rules
// give it its owner even if it names one (?assign=true).
type createRequest struct {
	Lead   Lead
	Assign bool
}

// decodeCreate reads a lead to create and the assign parameter.
func decodeCreate(ctx context.Context, r *http.Request) (any, error) {
	req := createRequest{}
	switch r.URL.Query().Get("assign") {
	case "", "false":
	case "true":
		req.Assign = true
	default:
		return nil, errs.Invalidf([]errs.FieldError{{Field: "assign", Reason: "must be true or false"}}, "assign must be true or false")
	}
	l, err := resource.DecodeBody[Lead](readOnly)(ctx, r)
	if err != nil {
		return nil, err
	}
	req.Lead = l.(Lead)
	return req, nil
}

// AssignmentRoutes returns the routes of the assignment rules and of
// running them on s: the rules are read with sales:read and changed, the
// tenant's configuration, with sales:admin; running them over leads needs
// sales:write; previewing them over a lead body, which writes nothing, is
// part of configuring them (sales:admin). api/openapi.yaml documents each
// (Name is its operationId).
func AssignmentRoutes(s AssignmentService) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listLeadAssignmentRules", Method: "GET", Path: "/v1/lead-assignment-rules", Permission: deals.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListRules(ctx)
				return resource.OK(resource.List[Rule]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createLeadAssignmentRule", Method: "POST", Path: "/v1/lead-assignment-rules", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[Rule](ruleReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				rule, err := s.CreateRule(ctx, r.(Rule))
				if err != nil {
					return nil, err
				}
				return resource.Created(rule, rule.Version, "/v1/lead-assignment-rules/"+rule.ID, nil)
			}},
		starter.Route{Name: "reorderLeadAssignmentRules", Method: "PUT", Path: "/v1/lead-assignment-rules/order", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[ruleOrder](nil),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				list, err := s.ReorderRules(ctx, r.(ruleOrder).IDs)
				return resource.OK(resource.List[Rule]{Items: list}, 0, err)
			}},
		starter.Route{Name: "previewLeadAssignment", Method: "POST", Path: "/v1/lead-assignment-rules/preview", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[Lead](readOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.PreviewAssignment(ctx, r.(Lead))
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "getLeadAssignmentRule", Method: "GET", Path: "/v1/lead-assignment-rules/{id}", Permission: deals.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				rule, err := s.GetRule(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(rule, rule.Version, nil)
			}},
		starter.Route{Name: "updateLeadAssignmentRule", Method: "PATCH", Path: "/v1/lead-assignment-rules/{id}", Permission: deals.PermAdmin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				rule, changed, err := s.UpdateRule(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(rule, rule.Version, changed, nil)
			}},
		starter.Route{Name: "deleteLeadAssignmentRule", Method: "DELETE", Path: "/v1/lead-assignment-rules/{id}", Permission: deals.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteRule(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "assignLead", Method: "POST", Path: "/v1/leads/{id}/assign", Permission: deals.PermWrite, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				a, err := s.Assign(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(a, a.Version, nil)
			}},
		starter.Route{Name: "getLeadAssignment", Method: "GET", Path: "/v1/leads/{id}/assignment", Permission: deals.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				a, err := s.Assignment(ctx, r.(resource.IDRequest).ID)
				return resource.OK(a, 0, err)
			}},
		starter.Route{Name: "assignLeads", Method: "POST", Path: "/v1/leads/assign", Permission: deals.PermWrite,
			Decode: resource.DecodeBody[BulkAssign](nil),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.AssignMany(ctx, r.(BulkAssign))
				return resource.OK(out, 0, err)
			}},
	)
}
