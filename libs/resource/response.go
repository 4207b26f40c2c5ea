package resource

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/starter"
)

// Response is a resource with its status, ETag and Location, and for an
// update the fields it changed (for the gateway's audit log: names only).
type Response struct {
	Body     any
	Status   int // 0 is 200
	Version  int64
	Location string
	Changed  []string
}

// MarshalJSON encodes the resource.
func (r Response) MarshalJSON() ([]byte, error) { return json.Marshal(r.Body) }

// StatusCode implements kitx.StatusCoder.
func (r Response) StatusCode() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}

// ETag implements kitx.ETagger.
func (r Response) ETag() string {
	if r.Version == 0 {
		return ""
	}
	return kitx.ETag(r.Version)
}

// NoContent is the response of a delete.
type NoContent struct{}

// StatusCode implements kitx.StatusCoder.
func (NoContent) StatusCode() int { return http.StatusNoContent }

// List is the body of list responses that are not paged.
type List[T any] struct {
	Items []T `json:"items"`
}

// OK wraps a resource at version for a 200 response, or returns err.
func OK(v any, version int64, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return Response{Body: v, Version: version}, nil
}

// Updated wraps an updated resource for a 200 response naming the fields
// the update changed.
func Updated(v any, version int64, changed []string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return Response{Body: v, Version: version, Changed: changed}, nil
}

// Created wraps a new resource for a 201 response with its Location.
func Created(v any, version int64, location string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return Response{Body: v, Status: http.StatusCreated, Version: version, Location: location}, nil
}

// Encode is kitx.EncodeJSON plus a Response's Location and the fields an
// update changed (kitx.ChangedFieldsHeader, for the gateway's audit log).
func Encode(ctx context.Context, w http.ResponseWriter, resp any) error {
	if r, ok := resp.(Response); ok {
		if r.Location != "" {
			w.Header().Set("Location", r.Location)
		}
		kitx.SetChangedFields(w.Header(), r.Changed)
	}
	return kitx.EncodeJSON(ctx, w, resp)
}

// Routes returns routes with Encode where they set no encoder of their own.
func Routes(routes ...starter.Route) []starter.Route {
	for i := range routes {
		if routes[i].Encode == nil {
			routes[i].Encode = Encode
		}
	}
	return routes
}
