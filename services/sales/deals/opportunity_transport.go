package deals

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/tags"
)

// The board's page per stage.
const (
	defaultBoardLimit = 20
	maxBoardLimit     = 100
)

// listRequest is a list of opportunities or a board: its filter, cursor
// and limit, and for a board the pipeline.
type listRequest struct {
	ID     string
	Filter Filter
	Order  BoardOrder
	Cursor string
	Limit  int
}

// OpportunityRoutes returns the opportunities' routes on s: reading needs
// sales:read, every change sales:write, both within the caller's record
// scope. api/openapi.yaml documents each (Name is its operationId).
func OpportunityRoutes(s OpportunityService) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listOpportunities", Method: "GET", Path: "/v1/opportunities", Permission: PermRead, Decode: decodeList(false),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.ListOpportunities(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "createOpportunity", Method: "POST", Path: "/v1/opportunities", Permission: PermWrite,
			Decode: resource.DecodeBody[Opportunity](opportunityReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				o, err := s.CreateOpportunity(ctx, r.(Opportunity))
				if err != nil {
					return nil, err
				}
				return resource.Created(o, o.Version, "/v1/opportunities/"+o.ID, nil)
			}},
		starter.Route{Name: "getOpportunity", Method: "GET", Path: "/v1/opportunities/{id}", Permission: PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				o, err := s.GetOpportunity(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(o, o.Version, nil)
			}},
		starter.Route{Name: "updateOpportunity", Method: "PATCH", Path: "/v1/opportunities/{id}", Permission: PermWrite, Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				o, changed, err := s.UpdateOpportunity(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(o, o.Version, changed, nil)
			}},
		starter.Route{Name: "deleteOpportunity", Method: "DELETE", Path: "/v1/opportunities/{id}", Permission: PermWrite, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteOpportunity(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "restoreOpportunity", Method: "POST", Path: "/v1/opportunities/{id}/restore", Permission: PermWrite, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				o, err := s.RestoreOpportunity(ctx, req.ID, req.IfMatch)
				if err != nil {
					return nil, err
				}
				return resource.OK(o, o.Version, nil)
			}},
		starter.Route{Name: "getOpportunityStageHistory", Method: "GET", Path: "/v1/opportunities/{id}/stage-history", Permission: PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				list, err := s.StageHistory(ctx, r.(resource.IDRequest).ID)
				return resource.OK(resource.List[StageVisit]{Items: list}, 0, err)
			}},
		starter.Route{Name: "getPipelineBoard", Method: "GET", Path: "/v1/pipelines/{id}/board", Permission: PermRead, Decode: decodeList(true),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				b, err := s.Board(ctx, req.ID, req.Filter, req.Order, req.Limit)
				return resource.OK(b, 0, err)
			}},
	)
}

// decodeList reads a list's query (a board's when board): the filters,
// limit and cursor, naming each bad parameter.
func decodeList(board bool) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		q := r.URL.Query()
		req := listRequest{ID: r.PathValue("id"), Cursor: q.Get("cursor"), Limit: kitx.DefaultLimit}
		f := &req.Filter
		v := errs.NewValidator()
		type param struct {
			name string
			dst  *string
		}
		params := []param{{"ownerId", &f.OwnerID}, {"teamId", &f.TeamID}}
		if !board {
			params = append(params, param{"pipelineId", &f.PipelineID}, param{"stageId", &f.StageID}, param{"status", &f.Status},
				param{"closeDateFrom", &f.CloseFrom}, param{"closeDateTo", &f.CloseTo}, param{"tag", &f.Tag}, param{"accountId", &f.AccountID})
		}
		for _, p := range params {
			*p.dst = q.Get(p.name)
		}
		v.Check(f.PipelineID == "" || ids.Valid(f.PipelineID), "pipelineId", "must be a UUID")
		v.Check(f.StageID == "" || ids.Valid(f.StageID), "stageId", "must be a UUID")
		v.Check(f.AccountID == "" || ids.Valid(f.AccountID), "accountId", "must be a UUID")
		v.Check(len(f.Tag) <= 4*tags.MaxName, "tag", "must be a tag name")
		v.Check(f.Status == "" || f.Status == StatusOpen || f.Status == StatusWon || f.Status == StatusLost, "status", "must be open, won or lost")
		for _, d := range []struct{ name, v string }{{"closeDateFrom", f.CloseFrom}, {"closeDateTo", f.CloseTo}} {
			_, err := time.Parse(time.DateOnly, d.v)
			v.Check(d.v == "" || err == nil, d.name, "must be a date, YYYY-MM-DD")
		}
		if !board {
			f.Deleted = q.Get("deleted") == "true"
			v.Check(q.Get("deleted") == "" || q.Get("deleted") == "true" || q.Get("deleted") == "false", "deleted", "must be true or false")
		}
		if board {
			req.Order = BoardOrder(q.Get("order"))
			if req.Order == "" {
				req.Order = OrderNewest
			}
			v.Check(req.Order == OrderNewest || req.Order == OrderCloseDate, "order", "must be newest or closeDate")
		}
		max := kitx.MaxLimit
		if board {
			req.Limit, max = defaultBoardLimit, maxBoardLimit
		}
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			v.Check(err == nil && n >= 1 && n <= max, "limit", "must be an integer from 1 to "+strconv.Itoa(max))
			req.Limit = n
		}
		return req, v.Err()
	}
}
