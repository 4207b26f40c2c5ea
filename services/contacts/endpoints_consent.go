package contacts

import (
	"context"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// consentEndpoints are the endpoints of the consent history.
func consentEndpoints(s Service) endpoints {
	return endpoints{
		"contactConsentHistory": func(ctx context.Context, r any) (any, error) {
			req := r.(consentHistoryRequest)
			page, err := s.ContactConsentHistory(ctx, req.ID, req.Query)
			return ok(&page, 0, err)
		},
	}
}

// A contact's consent history is read with contacts:read, as the contact is.
func init() { permissions["contactConsentHistory"] = customer.PermRead }
