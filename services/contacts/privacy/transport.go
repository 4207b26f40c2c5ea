package privacy

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Routes returns the routes of personal data on s. Both need
// contacts:admin: handing a person's whole data over and erasing it are
// the tenant's data-protection duties, not everyday reading and writing
// (contacts:read and contacts:write); the built-in roles with contacts:*
// (admin, manager, integration) hold it. api/openapi.yaml documents each
// (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	return resource.Routes(
		starter.Route{Name: "exportPersonalData", Method: "GET", Path: "/v1/contacts/{id}/personal-data", Permission: customer.PermAdmin,
			Endpoint: e.Export, Decode: resource.DecodeID},
		starter.Route{Name: "eraseContact", Method: "POST", Path: "/v1/contacts/{id}/erase", Permission: customer.PermAdmin,
			Endpoint: e.Erase, Decode: decodeErase},
	)
}

// decodeErase reads the contact's id, an optional If-Match and the body
// (a reason), strictly.
func decodeErase(ctx context.Context, r *http.Request) (any, error) {
	id, err := resource.DecodeID(ctx, r)
	if err != nil {
		return nil, err
	}
	req := eraseRequest{IDRequest: id.(resource.IDRequest)}
	if err := kitx.Decode(r, &req.Body, 0); err != nil {
		return nil, err
	}
	return req, nil
}
