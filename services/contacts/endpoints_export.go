package contacts

import (
	"context"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

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
	Run    func(start func([]customer.CustomField) error, each func(*customer.Contact) error) error
}

// accountExport is contactExport for accounts.
type accountExport struct {
	Format string
	Run    func(start func([]customer.CustomField) error, each func(*customer.Account) error) error
}

// exportEndpoints are the endpoints of exports. Nothing is read until the
// encoder runs the export, so the service's errors reach the encoder.
func exportEndpoints(s Service) endpoints {
	return endpoints{
		"exportContacts": func(ctx context.Context, r any) (any, error) {
			req := r.(exportRequest)
			return contactExport{Format: req.Format, Run: func(start func([]customer.CustomField) error, each func(*customer.Contact) error) error {
				return s.ExportContacts(ctx, req.Query, start, each)
			}}, nil
		},
		"exportAccounts": func(ctx context.Context, r any) (any, error) {
			req := r.(exportRequest)
			return accountExport{Format: req.Format, Run: func(start func([]customer.CustomField) error, each func(*customer.Account) error) error {
				return s.ExportAccounts(ctx, req.Query, start, each)
			}}, nil
		},
	}
}
