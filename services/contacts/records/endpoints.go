package records

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Endpoints are the endpoints of accounts and contacts, one per operation.
type Endpoints struct {
	CreateContact, GetContact, UpdateContact, DeleteContact, RestoreContact, TagContacts endpoint.Endpoint
	ContactConsentHistory                                                                endpoint.Endpoint
	CreateAccount, GetAccount, UpdateAccount, DeleteAccount, RestoreAccount, TagAccounts endpoint.Endpoint
}

// createRequest is a new record and the options of its create.
type createRequest[T any] struct {
	Record T
	Opts   CreateOptions
}

// patchRequest is a merge patch of a record with the options of the update.
type patchRequest struct {
	resource.PatchRequest
	Opts CreateOptions
}

// consentHistoryRequest asks for a page of a contact's consent history.
type consentHistoryRequest struct {
	ID    string
	Query ConsentHistoryQuery
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		CreateContact: func(ctx context.Context, r any) (any, error) {
			req := r.(createRequest[customer.Contact])
			c, err := s.CreateContact(ctx, req.Record, req.Opts)
			return created(c, "/v1/contacts/", err)
		},
		GetContact: func(ctx context.Context, r any) (any, error) {
			c, err := s.GetContact(ctx, r.(resource.IDRequest).ID)
			return resource.OK(c, version(c, err), err)
		},
		UpdateContact: func(ctx context.Context, r any) (any, error) {
			req := r.(patchRequest)
			c, changed, err := s.UpdateContact(ctx, req.ID, req.IfMatch, req.Patch, req.Opts)
			return resource.Updated(c, version(c, err), changed, err)
		},
		DeleteContact: func(ctx context.Context, r any) (any, error) {
			return resource.NoContent{}, s.DeleteContact(ctx, r.(resource.IDRequest).ID, r.(resource.IDRequest).IfMatch)
		},
		RestoreContact: func(ctx context.Context, r any) (any, error) {
			c, err := s.RestoreContact(ctx, r.(resource.IDRequest).ID)
			return resource.OK(c, version(c, err), err)
		},
		TagContacts: func(ctx context.Context, r any) (any, error) {
			res, err := s.TagContacts(ctx, r.(BulkTag))
			return resource.OK(&res, 0, err)
		},
		ContactConsentHistory: func(ctx context.Context, r any) (any, error) {
			req := r.(consentHistoryRequest)
			page, err := s.ContactConsentHistory(ctx, req.ID, req.Query)
			return resource.OK(&page, 0, err)
		},
		CreateAccount: func(ctx context.Context, r any) (any, error) {
			req := r.(createRequest[customer.Account])
			a, err := s.CreateAccount(ctx, req.Record, req.Opts)
			return created(a, "/v1/accounts/", err)
		},
		GetAccount: func(ctx context.Context, r any) (any, error) {
			a, err := s.GetAccount(ctx, r.(resource.IDRequest).ID)
			return resource.OK(a, version(a, err), err)
		},
		UpdateAccount: func(ctx context.Context, r any) (any, error) {
			req := r.(patchRequest)
			a, changed, err := s.UpdateAccount(ctx, req.ID, req.IfMatch, req.Patch, req.Opts)
			return resource.Updated(a, version(a, err), changed, err)
		},
		DeleteAccount: func(ctx context.Context, r any) (any, error) {
			return resource.NoContent{}, s.DeleteAccount(ctx, r.(resource.IDRequest).ID, r.(resource.IDRequest).IfMatch)
		},
		RestoreAccount: func(ctx context.Context, r any) (any, error) {
			a, err := s.RestoreAccount(ctx, r.(resource.IDRequest).ID)
			return resource.OK(a, version(a, err), err)
		},
		TagAccounts: func(ctx context.Context, r any) (any, error) {
			res, err := s.TagAccounts(ctx, r.(BulkTag))
			return resource.OK(&res, 0, err)
		},
	}
}

// created wraps a new record for a 201 response with its Location, the
// record's path below collection ("/v1/contacts/").
func created(rec customer.Record, collection string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return resource.Created(rec, rec.Base().Version, collection+rec.Base().ID, nil)
}

// version returns the version of a record, 0 on error.
func version(rec customer.Record, err error) int64 {
	if err != nil {
		return 0
	}
	return rec.Base().Version
}
