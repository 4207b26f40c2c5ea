package activities

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"
)

// Endpoints are the endpoints of activities, one per operation.
type Endpoints struct {
	Create, Get, Update, Delete, Complete, Snooze endpoint.Endpoint
	List, MyTasks, Overdue, Calendar              endpoint.Endpoint
}

// snoozeRequest asks to snooze the reminder of an activity.
type snoozeRequest struct {
	resource.IDRequest
	Snooze Snooze
}

// pageRequest asks for a page of a list.
type pageRequest struct {
	Limit  int
	Cursor string
}

// overdueRequest asks for a page of overdue tasks.
type overdueRequest struct {
	pageRequest
	Owners Owners
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		Create: func(ctx context.Context, r any) (any, error) {
			a, created, err := s.Create(ctx, r.(Activity))
			if err != nil || !created {
				return resource.OK(a, version(a), err)
			}
			return resource.Created(a, a.Version, "/v1/activities/"+a.ID, nil)
		},
		Get: func(ctx context.Context, r any) (any, error) {
			a, err := s.Get(ctx, r.(resource.IDRequest).ID)
			return resource.OK(a, version(a), err)
		},
		Update: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.PatchRequest)
			a, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
			return resource.Updated(a, version(a), changed, err)
		},
		Delete: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.IDRequest)
			return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
		},
		Complete: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.IDRequest)
			c, err := s.Complete(ctx, req.ID, req.IfMatch)
			if err != nil {
				return nil, err
			}
			return resource.OK(c, c.Task.Version, nil)
		},
		Snooze: func(ctx context.Context, r any) (any, error) {
			req := r.(snoozeRequest)
			a, err := s.Snooze(ctx, req.ID, req.IfMatch, req.Snooze)
			return resource.OK(a, version(a), err)
		},
		List: func(ctx context.Context, r any) (any, error) {
			page, err := s.List(ctx, r.(Query))
			return resource.OK(&page, 0, err)
		},
		MyTasks: func(ctx context.Context, r any) (any, error) {
			req := r.(pageRequest)
			page, err := s.MyTasks(ctx, req.Limit, req.Cursor)
			return resource.OK(&page, 0, err)
		},
		Overdue: func(ctx context.Context, r any) (any, error) {
			req := r.(overdueRequest)
			page, err := s.Overdue(ctx, req.Owners, req.Limit, req.Cursor)
			return resource.OK(&page, 0, err)
		},
		Calendar: func(ctx context.Context, r any) (any, error) {
			page, err := s.Calendar(ctx, r.(CalendarQuery))
			return resource.OK(&page, 0, err)
		},
	}
}

// version returns the version of a, 0 for nil.
func version(a *Activity) int64 {
	if a == nil {
		return 0
	}
	return a.Version
}
