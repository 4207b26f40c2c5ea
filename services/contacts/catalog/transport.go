package catalog

import (
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/api"
)

// Routes returns the catalogue's routes on s, each with the permission it
// needs: tags are read and written with contacts:read and contacts:write,
// like the records that carry them; custom field definitions and settings,
// tenant-wide configuration, are read with contacts:read and written with
// contacts:admin. api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	read, write, admin := customer.PermRead, customer.PermWrite, customer.PermAdmin
	return resource.Routes(
		starter.Route{Name: "listTags", Method: "GET", Path: "/v1/tags", Permission: read, Endpoint: e.ListTags},
		starter.Route{Name: "createTag", Method: "POST", Path: "/v1/tags", Permission: write, Endpoint: e.CreateTag,
			Decode: resource.DecodeBody[tags.Tag](customer.ReadOnlyFields)},
		starter.Route{Name: "getTag", Method: "GET", Path: "/v1/tags/{id}", Permission: read, Endpoint: e.GetTag, Decode: resource.DecodeID},
		starter.Route{Name: "updateTag", Method: "PATCH", Path: "/v1/tags/{id}", Permission: write, Endpoint: e.UpdateTag, Decode: resource.DecodePatch},
		starter.Route{Name: "deleteTag", Method: "DELETE", Path: "/v1/tags/{id}", Permission: write, Endpoint: e.DeleteTag, Decode: resource.DecodeID},

		starter.Route{Name: "listCustomFields", Method: "GET", Path: "/v1/custom-fields", Permission: read, Endpoint: e.ListCustomFields,
			Decode: api.DecodeList},
		starter.Route{Name: "createCustomField", Method: "POST", Path: "/v1/custom-fields", Permission: admin, Endpoint: e.CreateCustomField,
			Decode: resource.DecodeBody[customfields.Field](customer.ReadOnlyFields)},
		starter.Route{Name: "getCustomField", Method: "GET", Path: "/v1/custom-fields/{id}", Permission: read, Endpoint: e.GetCustomField,
			Decode: resource.DecodeID},
		starter.Route{Name: "updateCustomField", Method: "PATCH", Path: "/v1/custom-fields/{id}", Permission: admin, Endpoint: e.UpdateCustomField,
			Decode: resource.DecodePatch},
		starter.Route{Name: "deleteCustomField", Method: "DELETE", Path: "/v1/custom-fields/{id}", Permission: admin, Endpoint: e.DeleteCustomField,
			Decode: resource.DecodeID},

		starter.Route{Name: "getSettings", Method: "GET", Path: "/v1/settings", Permission: read, Endpoint: e.GetSettings},
		starter.Route{Name: "putSettings", Method: "PUT", Path: "/v1/settings", Permission: admin, Endpoint: e.PutSettings,
			Decode: resource.DecodeBody[Settings]([]string{"updatedAt", "version"})},
	)
}
