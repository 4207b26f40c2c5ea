package activities

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Routes returns the routes of activities on s, each with the permission
// it needs: reads with contacts:read, writes with contacts:write.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	read, write := customer.PermRead, customer.PermWrite
	return resource.Routes(
		starter.Route{Name: "createActivity", Method: "POST", Path: "/v1/activities", Permission: write, Endpoint: e.Create,
			Decode: resource.DecodeBody[Activity](ReadOnlyFields)},
		starter.Route{Name: "listActivities", Method: "GET", Path: "/v1/activities", Permission: read, Endpoint: e.List, Decode: decodeList},
		starter.Route{Name: "myOpenTasks", Method: "GET", Path: "/v1/activities/my-tasks", Permission: read, Endpoint: e.MyTasks,
			Decode: decodePage},
		starter.Route{Name: "overdueTasks", Method: "GET", Path: "/v1/activities/overdue", Permission: read, Endpoint: e.Overdue,
			Decode: decodeOverdue},
		starter.Route{Name: "activityCalendar", Method: "GET", Path: "/v1/activities/calendar", Permission: read, Endpoint: e.Calendar,
			Decode: decodeCalendar},
		starter.Route{Name: "getActivity", Method: "GET", Path: "/v1/activities/{id}", Permission: read, Endpoint: e.Get, Decode: resource.DecodeID},
		starter.Route{Name: "updateActivity", Method: "PATCH", Path: "/v1/activities/{id}", Permission: write, Endpoint: e.Update,
			Decode: resource.DecodePatch},
		starter.Route{Name: "deleteActivity", Method: "DELETE", Path: "/v1/activities/{id}", Permission: write, Endpoint: e.Delete,
			Decode: resource.DecodeID},
		starter.Route{Name: "completeTask", Method: "POST", Path: "/v1/activities/{id}/complete", Permission: write, Endpoint: e.Complete,
			Decode: resource.DecodeID},
		starter.Route{Name: "snoozeReminder", Method: "POST", Path: "/v1/activities/{id}/snooze", Permission: write, Endpoint: e.Snooze,
			Decode: decodeSnooze},
	)
}

// decodeSnooze reads the id, the If-Match and the snooze.
func decodeSnooze(ctx context.Context, r *http.Request) (any, error) {
	id, err := resource.DecodeID(ctx, r)
	if err != nil {
		return nil, err
	}
	req := snoozeRequest{IDRequest: id.(resource.IDRequest)}
	return req, kitx.Decode(r, &req.Snooze, 0)
}

// decodeList reads the filters of a list of activities.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	page, err := readPage(r)
	if err != nil {
		return nil, err
	}
	p := params{q: q}
	return Query{Types: p.list("type"), ContactID: q.Get("contact"), AccountID: q.Get("account"), Assignee: q.Get("assignee"),
		Team: q.Get("team"), Status: q.Get("status"), Related: q.Get("related"),
		DueBefore: p.time("dueBefore"), DueAfter: p.time("dueAfter"), Limit: page.Limit, Cursor: page.Cursor}, p.err()
}

// decodePage reads a page's limit and cursor.
func decodePage(_ context.Context, r *http.Request) (any, error) { return readPage(r) }

// decodeOverdue reads whose overdue tasks to list and the page.
func decodeOverdue(_ context.Context, r *http.Request) (any, error) {
	page, err := readPage(r)
	q := r.URL.Query()
	return overdueRequest{pageRequest: page, Owners: Owners{Assignee: q.Get("assignee"), Team: q.Get("team")}}, err
}

// decodeCalendar reads a calendar query.
func decodeCalendar(_ context.Context, r *http.Request) (any, error) {
	page, err := readPage(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	p := params{q: q}
	c := CalendarQuery{Owners: Owners{Assignee: q.Get("assignee"), Team: q.Get("team")}, Types: p.list("type"),
		Limit: page.Limit, Cursor: page.Cursor}
	if t := p.time("from"); t != nil {
		c.From = *t
	}
	if t := p.time("to"); t != nil {
		c.To = *t
	}
	return c, p.err()
}

// readPage reads limit (kitx.Limit) and cursor.
func readPage(r *http.Request) (pageRequest, error) {
	limit, err := kitx.Limit(r)
	return pageRequest{Limit: limit, Cursor: r.URL.Query().Get("cursor")}, err
}

// params reads query parameters, collecting the malformed ones.
type params struct {
	q   url.Values
	bad []errs.FieldError
}

// time reads an RFC 3339 time (nil when absent).
func (p *params) time(name string) *time.Time {
	s := p.q.Get(name)
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		p.bad = append(p.bad, errs.FieldError{Field: name, Reason: "must be an RFC 3339 time such as 2026-03-01T09:00:00Z"})
		return nil
	}
	t = stamp(t)
	return &t
}

// list reads a comma-separated list (nil when absent).
func (p *params) list(name string) []string {
	s := p.q.Get(name)
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// err is the error naming the malformed parameters, or nil.
func (p *params) err() error {
	if len(p.bad) == 0 {
		return nil
	}
	e := ErrBadQuery.WithDetail("malformed query parameters")
	e.Fields = p.bad
	return e
}
