package contracts

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// listRequest is a list's filter, cursor and limit.
type listRequest[F any] struct {
	Filter F
	Cursor string
	Limit  int
}

// signOffRequest is a sign-off of the work order ID at IfMatch.
type signOffRequest struct {
	resource.IDRequest
	SignOff SignOff
}

// Routes returns the routes of contracts and work orders on s: reading
// needs support:read, writing contracts support:admin, working work orders
// support:write. api/openapi.yaml documents each (Name is its
// operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listServiceContracts", Method: "GET", Path: "/v1/service-contracts", Permission: supportdb.PermRead,
			Decode: decodeContractList, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest[ContractFilter])
				page, err := s.ListContracts(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createServiceContract", Method: "POST", Path: "/v1/service-contracts", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[NewContract](contractReadOnly), Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.CreateContract(ctx, r.(NewContract).contract())
				if err != nil {
					return nil, err
				}
				return resource.Created(c, c.Version, "/v1/service-contracts/"+c.ID, nil)
			}},
		starter.Route{Name: "getServiceContract", Method: "GET", Path: "/v1/service-contracts/{id}", Permission: supportdb.PermRead,
			Decode: resource.DecodeID, Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.GetContract(ctx, r.(resource.IDRequest).ID)
				return resource.OK(c, c.Version, err)
			}},
		starter.Route{Name: "updateServiceContract", Method: "PATCH", Path: "/v1/service-contracts/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodePatch, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				c, changed, err := s.UpdateContract(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(c, c.Version, changed, err)
			}},
		starter.Route{Name: "deleteServiceContract", Method: "DELETE", Path: "/v1/service-contracts/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeID, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteContract(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listServiceContractUsage", Method: "GET", Path: "/v1/service-contracts/{id}/usage", Permission: supportdb.PermRead,
			Decode: resource.DecodeID, Endpoint: func(ctx context.Context, r any) (any, error) {
				items, err := s.Usage(ctx, r.(resource.IDRequest).ID)
				return resource.OK(resource.List[Usage]{Items: items}, 0, err)
			}},
		starter.Route{Name: "getCaseEntitlement", Method: "GET", Path: "/v1/cases/{id}/entitlement", Permission: supportdb.PermRead,
			Decode: resource.DecodeID, Endpoint: func(ctx context.Context, r any) (any, error) {
				e, err := s.Entitlement(ctx, r.(resource.IDRequest).ID)
				return resource.OK(e, 0, err)
			}},
		starter.Route{Name: "listWorkOrders", Method: "GET", Path: "/v1/work-orders", Permission: supportdb.PermRead,
			Decode: decodeWorkOrderList, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest[WorkOrderFilter])
				page, err := s.ListWorkOrders(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createWorkOrder", Method: "POST", Path: "/v1/work-orders", Permission: supportdb.PermWrite,
			Decode: resource.DecodeBody[WorkOrder](workOrderReadOnly), Endpoint: func(ctx context.Context, r any) (any, error) {
				w, err := s.CreateWorkOrder(ctx, r.(WorkOrder))
				if err != nil {
					return nil, err
				}
				return resource.Created(w, w.Version, "/v1/work-orders/"+w.ID, nil)
			}},
		starter.Route{Name: "getWorkOrder", Method: "GET", Path: "/v1/work-orders/{id}", Permission: supportdb.PermRead,
			Decode: resource.DecodeID, Endpoint: func(ctx context.Context, r any) (any, error) {
				w, err := s.GetWorkOrder(ctx, r.(resource.IDRequest).ID)
				return resource.OK(w, w.Version, err)
			}},
		starter.Route{Name: "updateWorkOrder", Method: "PATCH", Path: "/v1/work-orders/{id}", Permission: supportdb.PermWrite,
			Decode: resource.DecodePatch, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				w, changed, err := s.UpdateWorkOrder(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(w, w.Version, changed, err)
			}},
		starter.Route{Name: "signOffWorkOrder", Method: "POST", Path: "/v1/work-orders/{id}/sign-off", Permission: supportdb.PermWrite,
			Decode: decodeSignOff, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(signOffRequest)
				w, err := s.SignOff(ctx, req.ID, req.IfMatch, req.SignOff)
				return resource.OK(w, w.Version, err)
			}},
	)
}

// decodeSignOff reads a sign-off's body with the work order's id and an
// optional If-Match.
func decodeSignOff(ctx context.Context, r *http.Request) (any, error) {
	id, err := resource.DecodeID(ctx, r)
	if err != nil {
		return nil, err
	}
	body, err := resource.DecodeBody[SignOff](nil)(ctx, r)
	if err != nil {
		return nil, err
	}
	return signOffRequest{IDRequest: id.(resource.IDRequest), SignOff: body.(SignOff)}, nil
}

// decodePage reads a list's limit and cursor into v's checks.
func decodePage(v *errs.Validator, r *http.Request) (cursor string, limit int) {
	q := r.URL.Query()
	limit = kitx.DefaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= kitx.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(kitx.MaxLimit))
		limit = n
	}
	return q.Get("cursor"), limit
}

// decodeContractList reads a list of contracts' query, naming each bad
// parameter.
func decodeContractList(_ context.Context, r *http.Request) (any, error) {
	q, v := r.URL.Query(), errs.NewValidator()
	req := listRequest[ContractFilter]{Filter: ContractFilter{AccountID: q.Get("accountId"), Status: q.Get("status")}}
	v.Check(req.Filter.AccountID == "" || ids.Valid(req.Filter.AccountID), "accountId", "must be a UUID")
	v.Check(req.Filter.Status == "" || slices.Contains(Statuses, req.Filter.Status), "status", "must be one of "+strings.Join(Statuses, ", "))
	req.Cursor, req.Limit = decodePage(v, r)
	return req, v.Err()
}

// decodeWorkOrderList reads a list of work orders' query, naming each bad
// parameter.
func decodeWorkOrderList(_ context.Context, r *http.Request) (any, error) {
	q, v := r.URL.Query(), errs.NewValidator()
	f := WorkOrderFilter{CaseID: q.Get("caseId"), Status: q.Get("status"), TechnicianID: q.Get("technicianId")}
	v.Check(f.CaseID == "" || ids.Valid(f.CaseID), "caseId", "must be a UUID")
	v.Check(f.Status == "" || slices.Contains(WorkStatuses, f.Status), "status", "must be one of "+strings.Join(WorkStatuses, ", "))
	v.Check(len(f.TechnicianID) <= maxShort, "technicianId", "must be a user id")
	req := listRequest[WorkOrderFilter]{Filter: f}
	req.Cursor, req.Limit = decodePage(v, r)
	return req, v.Err()
}
