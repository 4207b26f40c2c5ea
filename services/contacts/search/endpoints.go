package search

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/resource"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/api"
)

// Endpoints are the endpoints of lists, searches, exports and saved views,
// one per operation; a list and a search by body share one.
type Endpoints struct {
	ListContacts, ListAccounts                             endpoint.Endpoint
	ExportContacts, ExportAccounts                         endpoint.Endpoint
	ListViews, CreateView, GetView, UpdateView, DeleteView endpoint.Endpoint
}

// exportRequest asks for every record of a list query in a format
// (ExportCSV or ExportNDJSON).
type exportRequest struct {
	Query  ListQuery
	Format string
}

// contactExport is a contacts export for the encoder to stream: Run calls
// ExportContacts with the encoder's callbacks.
type contactExport struct {
	Format string
	Run    func(start func([]customfields.Field) error, each func(*customer.Contact) error) error
}

// accountExport is contactExport for accounts.
type accountExport struct {
	Format string
	Run    func(start func([]customfields.Field) error, each func(*customer.Account) error) error
}

// MakeEndpoints returns the endpoints of s. An export's endpoint reads
// nothing: the encoder runs the export, so the service's errors reach it.
func MakeEndpoints(s Service) Endpoints {
	return Endpoints{
		ListContacts: func(ctx context.Context, r any) (any, error) {
			p, err := s.ListContacts(ctx, r.(ListQuery))
			return resource.OK(&p, 0, err)
		},
		ListAccounts: func(ctx context.Context, r any) (any, error) {
			p, err := s.ListAccounts(ctx, r.(ListQuery))
			return resource.OK(&p, 0, err)
		},
		ExportContacts: func(ctx context.Context, r any) (any, error) {
			req := r.(exportRequest)
			return contactExport{Format: req.Format, Run: func(start func([]customfields.Field) error, each func(*customer.Contact) error) error {
				return s.ExportContacts(ctx, req.Query, start, each)
			}}, nil
		},
		ExportAccounts: func(ctx context.Context, r any) (any, error) {
			req := r.(exportRequest)
			return accountExport{Format: req.Format, Run: func(start func([]customfields.Field) error, each func(*customer.Account) error) error {
				return s.ExportAccounts(ctx, req.Query, start, each)
			}}, nil
		},
		ListViews: func(ctx context.Context, r any) (any, error) {
			views, err := s.ListViews(ctx, r.(api.ListParams).Entity)
			return resource.OK(&resource.List[SavedView]{Items: views}, 0, err)
		},
		CreateView: func(ctx context.Context, r any) (any, error) {
			v, err := s.CreateView(ctx, r.(SavedView))
			if err != nil {
				return nil, err
			}
			return resource.Created(v, v.Version, "/v1/saved-views/"+v.ID, nil)
		},
		GetView: func(ctx context.Context, r any) (any, error) {
			v, err := s.GetView(ctx, r.(resource.IDRequest).ID)
			if err != nil {
				return nil, err
			}
			return resource.OK(v, v.Version, nil)
		},
		UpdateView: func(ctx context.Context, r any) (any, error) {
			req := r.(resource.PatchRequest)
			v, err := s.UpdateView(ctx, req.ID, req.IfMatch, req.Patch)
			if err != nil {
				return nil, err
			}
			return resource.OK(v, v.Version, nil)
		},
		DeleteView: func(ctx context.Context, r any) (any, error) {
			return resource.NoContent{}, s.DeleteView(ctx, r.(resource.IDRequest).ID)
		},
	}
}
