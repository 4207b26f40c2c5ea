package contacts

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// idRequest names one resource.
type idRequest struct {
	ID      string
	IfMatch int64
}

// patchRequest is a merge patch of one resource at version IfMatch.
type patchRequest struct {
	ID      string
	IfMatch int64
	Patch   json.RawMessage
	// Opts apply to accounts and contacts only.
	Opts CreateOptions
}

// response is a resource with its status, ETag and Location, and for an
// update the fields it changed (for the gateway's audit log: names only).
type response struct {
	body     any
	status   int
	version  int64
	location string
	changed  []string
}

// MarshalJSON encodes the resource.
func (r response) MarshalJSON() ([]byte, error) { return json.Marshal(r.body) }

// StatusCode implements kitx.StatusCoder.
func (r response) StatusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// ETag implements kitx.ETagger.
func (r response) ETag() string {
	if r.version == 0 {
		return ""
	}
	return kitx.ETag(r.version)
}

// noContent is the response of a delete.
type noContent struct{}

// StatusCode implements kitx.StatusCoder.
func (noContent) StatusCode() int { return http.StatusNoContent }

// listBody is the body of list responses that are not paged.
type listBody[T any] struct {
	Items []T `json:"items"`
}

// ok wraps a resource for a 200 response, or returns err.
func ok[T any](v *T, version int64, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return response{body: v, version: version}, nil
}

// updated wraps an updated resource for a 200 response naming the fields
// the update changed.
func updated[T any](v *T, version int64, changed []string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return response{body: v, version: version, changed: changed}, nil
}

// created wraps a new resource for a 201 response with its Location.
func created[T any](v *T, version int64, location string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return response{body: v, status: http.StatusCreated, version: version, location: location}, nil
}

// endpoints are the service's go-kit endpoints by route name.
type endpoints map[string]endpoint.Endpoint

// makeEndpoints returns the endpoints of s; Routes puts each behind the
// permission its route needs.
func makeEndpoints(s Service) endpoints {
	e := endpoints{
		"createContact": func(ctx context.Context, r any) (any, error) {
			req := r.(createRequest[customer.Contact])
			c, err := s.CreateContact(ctx, req.Record, req.Opts)
			return created(c, version(c, err), "/v1/contacts/"+id(c, err), err)
		},
		"getContact": func(ctx context.Context, r any) (any, error) {
			c, err := s.GetContact(ctx, r.(idRequest).ID)
			return ok(c, version(c, err), err)
		},
		"updateContact": func(ctx context.Context, r any) (any, error) {
			req := r.(patchRequest)
			c, changed, err := s.UpdateContact(ctx, req.ID, req.IfMatch, req.Patch, req.Opts)
			return updated(c, version(c, err), changed, err)
		},
		"deleteContact": func(ctx context.Context, r any) (any, error) {
			return noContent{}, s.DeleteContact(ctx, r.(idRequest).ID, r.(idRequest).IfMatch)
		},
		"restoreContact": func(ctx context.Context, r any) (any, error) {
			c, err := s.RestoreContact(ctx, r.(idRequest).ID)
			return ok(c, version(c, err), err)
		},

		"tagContacts": func(ctx context.Context, r any) (any, error) {
			res, err := s.TagContacts(ctx, r.(BulkTag))
			return ok(&res, 0, err)
		},
		"createAccount": func(ctx context.Context, r any) (any, error) {
			req := r.(createRequest[customer.Account])
			a, err := s.CreateAccount(ctx, req.Record, req.Opts)
			return created(a, version(a, err), "/v1/accounts/"+id(a, err), err)
		},
		"getAccount": func(ctx context.Context, r any) (any, error) {
			a, err := s.GetAccount(ctx, r.(idRequest).ID)
			return ok(a, version(a, err), err)
		},
		"updateAccount": func(ctx context.Context, r any) (any, error) {
			req := r.(patchRequest)
			a, changed, err := s.UpdateAccount(ctx, req.ID, req.IfMatch, req.Patch, req.Opts)
			return updated(a, version(a, err), changed, err)
		},
		"deleteAccount": func(ctx context.Context, r any) (any, error) {
			return noContent{}, s.DeleteAccount(ctx, r.(idRequest).ID, r.(idRequest).IfMatch)
		},
		"restoreAccount": func(ctx context.Context, r any) (any, error) {
			a, err := s.RestoreAccount(ctx, r.(idRequest).ID)
			return ok(a, version(a, err), err)
		},

		"tagAccounts": func(ctx context.Context, r any) (any, error) {
			res, err := s.TagAccounts(ctx, r.(BulkTag))
			return ok(&res, 0, err)
		},
	}
	maps.Copy(e, dedupEndpoints(s))
	maps.Copy(e, consentEndpoints(s))
	return e
}

// permissions maps each endpoint to the permission it requires.
var permissions = map[string]string{
	"getContact": customer.PermRead, "getAccount": customer.PermRead,
	"createContact": customer.PermWrite, "updateContact": customer.PermWrite, "deleteContact": customer.PermWrite, "restoreContact": customer.PermWrite,
	"tagContacts": customer.PermWrite, "createAccount": customer.PermWrite, "updateAccount": customer.PermWrite, "deleteAccount": customer.PermWrite,
	"restoreAccount": customer.PermWrite, "tagAccounts": customer.PermWrite,
}

// version returns the version of a record, 0 on error.
func version(rec customer.Record, err error) int64 {
	if err != nil || rec == nil {
		return 0
	}
	return rec.Base().Version
}

// id returns the id of a record, "" on error.
func id(rec customer.Record, err error) string {
	if err != nil || rec == nil {
		return ""
	}
	return rec.Base().ID
}
