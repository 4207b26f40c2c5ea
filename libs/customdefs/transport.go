package customdefs

import (
	"context"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
)

// Perms are the permissions of a service's definitions: reading them
// (Read, e.g. sales:read), and changing them (Admin, e.g. sales:admin), a
// tenant-wide configuration.
type Perms struct {
	Read, Admin string
}

// Routes returns the routes of the definitions on s at path
// ("/v1/lead-custom-fields") and path/{id}, their operationIds named for
// name ("Lead": listLeadCustomFields, createLeadCustomField,
// updateLeadCustomField, deleteLeadCustomField): listed with perms.Read;
// created, changed and deleted with perms.Admin. The service's
// api/openapi.yaml documents each.
func Routes(s Service, path, name string, perms Perms) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "list" + name + "CustomFields", Method: "GET", Path: path, Permission: perms.Read,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				list, err := s.ListFields(ctx)
				return resource.OK(resource.List[customfields.Field]{Items: list}, 0, err)
			}},
		starter.Route{Name: "create" + name + "CustomField", Method: "POST", Path: path, Permission: perms.Admin,
			Decode: resource.DecodeBody[customfields.Field](readOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				d, err := s.CreateField(ctx, r.(customfields.Field))
				if err != nil {
					return nil, err
				}
				return resource.Created(d, d.Version, path+"/"+d.ID, nil)
			}},
		starter.Route{Name: "update" + name + "CustomField", Method: "PATCH", Path: path + "/{id}", Permission: perms.Admin,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				d, changed, err := s.UpdateField(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(d, d.Version, changed, nil)
			}},
		starter.Route{Name: "delete" + name + "CustomField", Method: "DELETE", Path: path + "/{id}", Permission: perms.Admin,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteField(ctx, req.ID, req.IfMatch)
			}},
	)
}
