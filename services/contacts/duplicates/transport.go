package duplicates

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Routes returns the routes of duplicates, merges and scans on s, each with
// the permission it needs: duplicate checks read with contacts:read and
// merges write with contacts:write; scans see every record of the tenant
// whatever the caller's record scope, so they need contacts:admin.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	read, write, admin := customer.PermRead, customer.PermWrite, customer.PermAdmin
	return resource.Routes(
		starter.Route{Name: "contactDuplicates", Method: "GET", Path: "/v1/contacts/{id}/duplicates", Permission: read,
			Endpoint: e.ContactDuplicates, Decode: resource.DecodeID},
		starter.Route{Name: "mergeContacts", Method: "POST", Path: "/v1/contacts/{id}/merge", Permission: write,
			Endpoint: e.MergeContacts, Decode: decodeMerge},
		starter.Route{Name: "accountDuplicates", Method: "GET", Path: "/v1/accounts/{id}/duplicates", Permission: read,
			Endpoint: e.AccountDuplicates, Decode: resource.DecodeID},
		starter.Route{Name: "mergeAccounts", Method: "POST", Path: "/v1/accounts/{id}/merge", Permission: write,
			Endpoint: e.MergeAccounts, Decode: decodeMerge},
		starter.Route{Name: "startDuplicateScan", Method: "POST", Path: "/v1/duplicate-scans", Permission: admin,
			Endpoint: e.StartDuplicateScan, Decode: resource.DecodeBody[ScanRequest](nil)},
		starter.Route{Name: "getDuplicateScan", Method: "GET", Path: "/v1/duplicate-scans/{id}", Permission: admin,
			Endpoint: e.GetDuplicateScan, Decode: resource.DecodeID},
		starter.Route{Name: "listDuplicatePairs", Method: "GET", Path: "/v1/duplicate-scans/{id}/pairs", Permission: admin,
			Endpoint: e.ListDuplicatePairs, Decode: decodePairs},
	)
}

// decodeMerge reads a merge: the winner's id and If-Match, and the body.
func decodeMerge(ctx context.Context, r *http.Request) (any, error) {
	v, _, err := kitx.ParseIfMatch(r)
	if err != nil {
		return nil, err
	}
	body, err := resource.DecodeBody[MergeRequest](nil)(ctx, r)
	if err != nil {
		return nil, err
	}
	return mergeRequest{ID: r.PathValue("id"), IfMatch: v, Body: body.(MergeRequest)}, nil
}

// decodePairs reads the scan id, limit and cursor.
func decodePairs(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	return pairsRequest{ScanID: r.PathValue("id"), Limit: limit, Cursor: r.URL.Query().Get("cursor")}, nil
}
