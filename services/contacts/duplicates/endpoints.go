package duplicates

import (
	"context"
	"net/http"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/resource"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Endpoints are the endpoints of duplicate detection, merges and scans, one
// per operation.
type Endpoints struct {
	ContactDuplicates, AccountDuplicates                     endpoint.Endpoint
	MergeContacts, MergeAccounts                             endpoint.Endpoint
	StartDuplicateScan, GetDuplicateScan, ListDuplicatePairs endpoint.Endpoint
}

// mergeRequest merges Body.LoserID into the record ID at version IfMatch.
type mergeRequest struct {
	ID      string
	IfMatch int64
	Body    MergeRequest
}

// pairsRequest asks for a page of a scan's pairs.
type pairsRequest struct {
	ScanID string
	Limit  int
	Cursor string
}

// MakeEndpoints returns the endpoints of s.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		ContactDuplicates: func(ctx context.Context, r any) (any, error) {
			found, err := s.ContactDuplicates(ctx, r.(resource.IDRequest).ID)
			return resource.OK(&resource.List[customer.DuplicateCandidate]{Items: found}, 0, err)
		},
		AccountDuplicates: func(ctx context.Context, r any) (any, error) {
			found, err := s.AccountDuplicates(ctx, r.(resource.IDRequest).ID)
			return resource.OK(&resource.List[customer.DuplicateCandidate]{Items: found}, 0, err)
		},
		MergeContacts: func(ctx context.Context, r any) (any, error) {
			req := r.(mergeRequest)
			c, err := s.MergeContacts(ctx, req.ID, req.IfMatch, req.Body)
			if err != nil {
				return nil, err
			}
			return resource.OK(c, c.Version, nil)
		},
		MergeAccounts: func(ctx context.Context, r any) (any, error) {
			req := r.(mergeRequest)
			a, err := s.MergeAccounts(ctx, req.ID, req.IfMatch, req.Body)
			if err != nil {
				return nil, err
			}
			return resource.OK(a, a.Version, nil)
		},
		StartDuplicateScan: func(ctx context.Context, r any) (any, error) {
			scan, err := s.StartDuplicateScan(ctx, r.(ScanRequest).Entity)
			if err != nil {
				return nil, err
			}
			return resource.Response{Body: scan, Status: http.StatusAccepted, Location: "/v1/duplicate-scans/" + scan.ID}, nil
		},
		GetDuplicateScan: func(ctx context.Context, r any) (any, error) {
			scan, err := s.GetDuplicateScan(ctx, r.(resource.IDRequest).ID)
			return resource.OK(scan, 0, err)
		},
		ListDuplicatePairs: func(ctx context.Context, r any) (any, error) {
			req := r.(pairsRequest)
			page, err := s.ListDuplicatePairs(ctx, req.ScanID, req.Limit, req.Cursor)
			return resource.OK(&page, 0, err)
		},
	}
}
