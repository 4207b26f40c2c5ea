package queues

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// presenceRequest is a presence read or set: the agent and, to set, the
// status.
type presenceRequest struct {
	UserID string `json:"-"`
	Status string `json:"status"`
}

// decodeUser reads the {userId} path value, naming it when it is no user
// id.
func decodeUser(r *http.Request) (string, error) {
	u := r.PathValue("userId")
	v := errs.NewValidator()
	v.Check(u != "" && utf8.RuneCountInString(u) <= maxShort, "userId", fmt.Sprintf("must be 1 to %d characters", maxShort))
	return u, v.Err()
}

// decodePresenceGet reads a presence read.
func decodePresenceGet(_ context.Context, r *http.Request) (any, error) {
	u, err := decodeUser(r)
	return presenceRequest{UserID: u}, err
}

// decodePresencePut reads a presence set: {status}.
func decodePresencePut(_ context.Context, r *http.Request) (any, error) {
	var req presenceRequest
	if err := kitx.Decode(r, &req, 0); err != nil {
		return nil, err
	}
	u, err := decodeUser(r)
	req.UserID = u
	return req, err
}

// Routes returns the routes of queues on s, each with its permission:
// reading support:read; configuring queues and routing rules
// support:admin; setting one's presence and previewing routing
// support:write. api/openapi.yaml documents each (Name is its
// operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listSupportQueues", Method: "GET", Path: "/v1/support-queues", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListQueues(ctx)
				return resource.OK(resource.List[Queue]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createSupportQueue", Method: "POST", Path: "/v1/support-queues", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[Queue](queueReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				q, err := s.CreateQueue(ctx, r.(Queue))
				if err != nil {
					return nil, err
				}
				return resource.Created(q, q.Version, "/v1/support-queues/"+q.ID, nil)
			}},
		starter.Route{Name: "getSupportQueue", Method: "GET", Path: "/v1/support-queues/{id}", Permission: supportdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				q, err := s.GetQueue(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(q, q.Version, nil)
			}},
		starter.Route{Name: "updateSupportQueue", Method: "PATCH", Path: "/v1/support-queues/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				q, changed, err := s.UpdateQueue(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(q, q.Version, changed, nil)
			}},
		starter.Route{Name: "deleteSupportQueue", Method: "DELETE", Path: "/v1/support-queues/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteQueue(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listSupportAgents", Method: "GET", Path: "/v1/support-agents", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.Agents(ctx)
				return resource.OK(resource.List[Agent]{Items: list}, 0, err)
			}},
		starter.Route{Name: "getAgentPresence", Method: "GET", Path: "/v1/support-agents/{userId}/presence", Permission: supportdb.PermRead,
			Decode: decodePresenceGet,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Presence(ctx, r.(presenceRequest).UserID)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "setAgentPresence", Method: "PUT", Path: "/v1/support-agents/{userId}/presence", Permission: supportdb.PermWrite,
			Decode: decodePresencePut,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(presenceRequest)
				out, err := s.SetPresence(ctx, req.UserID, req.Status)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "listRoutingRules", Method: "GET", Path: "/v1/routing-rules", Permission: supportdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListRules(ctx)
				return resource.OK(resource.List[Rule]{Items: list}, 0, err)
			}},
		starter.Route{Name: "createRoutingRule", Method: "POST", Path: "/v1/routing-rules", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[Rule](ruleReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				rule, err := s.CreateRule(ctx, r.(Rule))
				if err != nil {
					return nil, err
				}
				return resource.Created(rule, rule.Version, "/v1/routing-rules/"+rule.ID, nil)
			}},
		starter.Route{Name: "previewRouting", Method: "POST", Path: "/v1/routing-rules/preview", Permission: supportdb.PermWrite,
			Decode: resource.DecodeBody[CaseFields](nil),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.PreviewRouting(ctx, r.(CaseFields))
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "getRoutingRule", Method: "GET", Path: "/v1/routing-rules/{id}", Permission: supportdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				rule, err := s.GetRule(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(rule, rule.Version, nil)
			}},
		starter.Route{Name: "updateRoutingRule", Method: "PATCH", Path: "/v1/routing-rules/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				rule, changed, err := s.UpdateRule(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(rule, rule.Version, changed, nil)
			}},
		starter.Route{Name: "deleteRoutingRule", Method: "DELETE", Path: "/v1/routing-rules/{id}", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteRule(ctx, req.ID, req.IfMatch)
			}},
	)
}
