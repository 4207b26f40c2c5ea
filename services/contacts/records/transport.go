package records

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// ErrBadAllowDuplicate is returned for an allowDuplicate query parameter that
// is not a boolean.
var ErrBadAllowDuplicate = errs.New(errs.Invalid, "invalid-allow-duplicate", "allowDuplicate must be true or false")

// Routes returns the routes of accounts and contacts on s, each with the
// permission it needs: reads with contacts:read (a contact's consent history
// too, as the contact), writes with contacts:write. api/openapi.yaml
// documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	read, write := customer.PermRead, customer.PermWrite
	return resource.Routes(
		starter.Route{Name: "createContact", Method: "POST", Path: "/v1/contacts", Permission: write, Endpoint: e.CreateContact,
			Decode: decodeCreate[customer.Contact]},
		starter.Route{Name: "tagContacts", Method: "POST", Path: "/v1/contacts/tags", Permission: write, Endpoint: e.TagContacts,
			Decode: resource.DecodeBody[BulkTag](nil)},
		starter.Route{Name: "getContact", Method: "GET", Path: "/v1/contacts/{id}", Permission: read, Endpoint: e.GetContact, Decode: resource.DecodeID},
		starter.Route{Name: "updateContact", Method: "PATCH", Path: "/v1/contacts/{id}", Permission: write, Endpoint: e.UpdateContact,
			Decode: decodePatch},
		starter.Route{Name: "deleteContact", Method: "DELETE", Path: "/v1/contacts/{id}", Permission: write, Endpoint: e.DeleteContact,
			Decode: resource.DecodeID},
		starter.Route{Name: "restoreContact", Method: "POST", Path: "/v1/contacts/{id}/restore", Permission: write, Endpoint: e.RestoreContact,
			Decode: resource.DecodeID},
		starter.Route{Name: "contactConsentHistory", Method: "GET", Path: "/v1/contacts/{id}/consent-history", Permission: read,
			Endpoint: e.ContactConsentHistory, Decode: decodeConsentHistory},

		starter.Route{Name: "createAccount", Method: "POST", Path: "/v1/accounts", Permission: write, Endpoint: e.CreateAccount,
			Decode: decodeCreate[customer.Account]},
		starter.Route{Name: "tagAccounts", Method: "POST", Path: "/v1/accounts/tags", Permission: write, Endpoint: e.TagAccounts,
			Decode: resource.DecodeBody[BulkTag](nil)},
		starter.Route{Name: "getAccount", Method: "GET", Path: "/v1/accounts/{id}", Permission: read, Endpoint: e.GetAccount, Decode: resource.DecodeID},
		starter.Route{Name: "updateAccount", Method: "PATCH", Path: "/v1/accounts/{id}", Permission: write, Endpoint: e.UpdateAccount,
			Decode: decodePatch},
		starter.Route{Name: "deleteAccount", Method: "DELETE", Path: "/v1/accounts/{id}", Permission: write, Endpoint: e.DeleteAccount,
			Decode: resource.DecodeID},
		starter.Route{Name: "restoreAccount", Method: "POST", Path: "/v1/accounts/{id}/restore", Permission: write, Endpoint: e.RestoreAccount,
			Decode: resource.DecodeID},
	)
}

// decodeCreate reads a create: a JSON body of type T without the read-only
// fields (resource.DecodeBody) and the allowDuplicate query parameter.
func decodeCreate[T any](ctx context.Context, r *http.Request) (any, error) {
	var req createRequest[T]
	var err error
	if req.Opts, err = decodeCreateOptions(r); err != nil {
		return nil, err
	}
	rec, err := resource.DecodeBody[T](customer.ReadOnlyFields)(ctx, r)
	if err != nil {
		return nil, err
	}
	req.Record = rec.(T)
	return req, nil
}

// decodePatch reads an account's or a contact's merge patch
// (resource.DecodePatch) and the allowDuplicate query parameter.
func decodePatch(ctx context.Context, r *http.Request) (any, error) {
	opts, err := decodeCreateOptions(r)
	if err != nil {
		return nil, err
	}
	req, err := resource.DecodePatch(ctx, r)
	if err != nil {
		return nil, err
	}
	return patchRequest{PatchRequest: req.(resource.PatchRequest), Opts: opts}, nil
}

// decodeCreateOptions reads the allowDuplicate query parameter.
func decodeCreateOptions(r *http.Request) (CreateOptions, error) {
	switch v := r.URL.Query().Get("allowDuplicate"); v {
	case "", "false":
		return CreateOptions{}, nil
	case "true":
		return CreateOptions{AllowDuplicate: true}, nil
	default:
		e := ErrBadAllowDuplicate.WithDetail("allowDuplicate %q must be true or false", v)
		e.Fields = []errs.FieldError{{Field: "allowDuplicate", Reason: "must be true or false"}}
		return CreateOptions{}, e
	}
}

// decodeConsentHistory reads the contact id, limit, cursor and channel.
func decodeConsentHistory(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return consentHistoryRequest{ID: r.PathValue("id"),
		Query: ConsentHistoryQuery{Channel: q.Get("channel"), Limit: limit, Cursor: q.Get("cursor")}}, nil
}
