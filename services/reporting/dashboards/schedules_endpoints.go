package dashboards

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// ScheduleEndpoints are the endpoints of report schedules, one per
// operation.
type ScheduleEndpoints struct {
	List, Create, Get, Update, Delete endpoint.Endpoint
}

// MakeScheduleEndpoints returns the endpoints of s.
func MakeScheduleEndpoints(s *Schedules) ScheduleEndpoints {
	return ScheduleEndpoints{
		List: func(ctx context.Context, r any) (any, error) {
			req := r.(pageRequest)
			page, err := s.List(ctx, req.Cursor, req.Limit)
			return resource.OK(page, 0, err)
		},
		Create: func(ctx context.Context, r any) (any, error) {
			sc, err := s.Create(ctx, r.(Schedule))
			return resource.Created(sc, sc.Version, "/v1/report-schedules/"+sc.ID, err)
		},
		Get: func(ctx context.Context, r any) (any, error) {
			sc, err := s.Get(ctx, r.(resource.IDRequest).ID)
			return resource.OK(sc, sc.Version, err)
		},
		Update: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.PatchRequest)
			sc, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
			return resource.Updated(sc, sc.Version, changed, err)
		},
		Delete: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.IDRequest)
			return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
		},
	}
}
