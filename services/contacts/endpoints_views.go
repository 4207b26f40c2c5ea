package contacts

import (
	"context"
	"maps"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// viewEndpoints are the endpoints of saved views and of searching by body.
func viewEndpoints(s Service) endpoints {
	return endpoints{
		"searchContacts": func(ctx context.Context, r any) (any, error) {
			p, err := s.ListContacts(ctx, r.(listRequest).Query)
			return ok(&p, 0, err)
		},
		"searchAccounts": func(ctx context.Context, r any) (any, error) {
			p, err := s.ListAccounts(ctx, r.(listRequest).Query)
			return ok(&p, 0, err)
		},
		"listViews": func(ctx context.Context, r any) (any, error) {
			views, err := s.ListViews(ctx, r.(listRequest).Entity)
			return ok(&listBody[SavedView]{Items: views}, 0, err)
		},
		"createView": func(ctx context.Context, r any) (any, error) {
			v, err := s.CreateView(ctx, r.(SavedView))
			if err != nil {
				return nil, err
			}
			return created(v, v.Version, "/v1/saved-views/"+v.ID, nil)
		},
		"getView": func(ctx context.Context, r any) (any, error) {
			v, err := s.GetView(ctx, r.(idRequest).ID)
			if err != nil {
				return nil, err
			}
			return ok(v, v.Version, nil)
		},
		"updateView": func(ctx context.Context, r any) (any, error) {
			req := r.(patchRequest)
			v, err := s.UpdateView(ctx, req.ID, req.IfMatch, req.Patch)
			if err != nil {
				return nil, err
			}
			return ok(v, v.Version, nil)
		},
		"deleteView": func(ctx context.Context, r any) (any, error) {
			return noContent{}, s.DeleteView(ctx, r.(idRequest).ID)
		},
	}
}

// Searching by body reads with contacts:read. Saved views need only
// contacts:read too: a view is a saved query, and the service lets only its
// owner (or, for a shared one, contacts:admin) change it.
func init() {
	maps.Copy(permissions, map[string]string{
		"searchContacts": customer.PermRead, "searchAccounts": customer.PermRead,
		"listViews": customer.PermRead, "createView": customer.PermRead, "getView": customer.PermRead, "updateView": customer.PermRead, "deleteView": customer.PermRead,
	})
}
