package contacts

import (
	"context"
	"maps"
	"net/http"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// dedupEndpoints are the endpoints of duplicate detection, merges and scans.
func dedupEndpoints(s Service) endpoints {
	return endpoints{
		"contactDuplicates": func(ctx context.Context, r any) (any, error) {
			found, err := s.ContactDuplicates(ctx, r.(idRequest).ID)
			return ok(&listBody[customer.DuplicateCandidate]{Items: found}, 0, err)
		},
		"accountDuplicates": func(ctx context.Context, r any) (any, error) {
			found, err := s.AccountDuplicates(ctx, r.(idRequest).ID)
			return ok(&listBody[customer.DuplicateCandidate]{Items: found}, 0, err)
		},
		"mergeContacts": func(ctx context.Context, r any) (any, error) {
			req := r.(mergeRequest)
			c, err := s.MergeContacts(ctx, req.ID, req.IfMatch, req.Body)
			return ok(c, version(c, err), err)
		},
		"mergeAccounts": func(ctx context.Context, r any) (any, error) {
			req := r.(mergeRequest)
			a, err := s.MergeAccounts(ctx, req.ID, req.IfMatch, req.Body)
			return ok(a, version(a, err), err)
		},
		"startDuplicateScan": func(ctx context.Context, r any) (any, error) {
			scan, err := s.StartDuplicateScan(ctx, r.(ScanRequest).Entity)
			if err != nil {
				return nil, err
			}
			return response{body: scan, status: http.StatusAccepted, location: "/v1/duplicate-scans/" + scan.ID}, nil
		},
		"getDuplicateScan": func(ctx context.Context, r any) (any, error) {
			scan, err := s.GetDuplicateScan(ctx, r.(idRequest).ID)
			return ok(scan, 0, err)
		},
		"listDuplicatePairs": func(ctx context.Context, r any) (any, error) {
			req := r.(pairsRequest)
			page, err := s.ListDuplicatePairs(ctx, req.ScanID, req.Limit, req.Cursor)
			return ok(&page, 0, err)
		},
	}
}

// Duplicate checks read with contacts:read and merges write with
// contacts:write; scans see every record of the tenant whatever the caller's
// record scope, so they need contacts:admin.
func init() {
	maps.Copy(permissions, map[string]string{
		"contactDuplicates": customer.PermRead, "accountDuplicates": customer.PermRead,
		"mergeContacts": customer.PermWrite, "mergeAccounts": customer.PermWrite,
		"startDuplicateScan": customer.PermAdmin, "getDuplicateScan": customer.PermAdmin, "listDuplicatePairs": customer.PermAdmin,
	})
}
