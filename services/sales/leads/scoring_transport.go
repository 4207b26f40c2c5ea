package leads

import (
	"context"

	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// ScoringRoutes returns the routes of lead scoring on s: the rules are
// read with sales:read and created, changed and deleted, tenant-wide
// configuration, with sales:admin; a lead's score is read with sales:read
// within the caller's record scope. api/openapi.yaml documents each.
func ScoringRoutes(s ScoringService) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listLeadScoringRules", Method: "GET", Path: "/v1/lead-scoring-rules", Permission: deals.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListScoringRules(ctx)
				return resource.OK(resource.List[ScoringRule]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createLeadScoringRule", Method: "POST", Path: "/v1/lead-scoring-rules", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[ScoringRule](scoringReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				rule, err := s.CreateScoringRule(ctx, r.(ScoringRule))
				if err != nil {
					return nil, err
				}
				return resource.Created(rule, rule.Version, "/v1/lead-scoring-rules/"+rule.ID, nil)
			}},
		starter.Route{Name: "getLeadScoringRule", Method: "GET", Path: "/v1/lead-scoring-rules/{id}", Permission: deals.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				rule, err := s.GetScoringRule(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(rule, rule.Version, nil)
			}},
		starter.Route{Name: "updateLeadScoringRule", Method: "PATCH", Path: "/v1/lead-scoring-rules/{id}", Permission: deals.PermAdmin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				rule, changed, err := s.UpdateScoringRule(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(rule, rule.Version, changed, nil)
			}},
		starter.Route{Name: "deleteLeadScoringRule", Method: "DELETE", Path: "/v1/lead-scoring-rules/{id}", Permission: deals.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteScoringRule(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "getLeadScore", Method: "GET", Path: "/v1/leads/{id}/score", Permission: deals.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				score, err := s.Score(ctx, r.(resource.IDRequest).ID)
				return resource.OK(score, 0, err)
			}},
	)
}
