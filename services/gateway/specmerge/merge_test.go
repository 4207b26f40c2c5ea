package specmerge

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const gatewaySpec = `
openapi: 3.0.3
info: {title: Rapport API, version: "1.0"}
servers: [{url: "https://crm.example.com"}]
security: [{bearer: []}]
tags: [{name: auth}]
paths:
  /v1/auth/login:
    post:
      operationId: login
      tags: [auth]
      responses:
        "200": {description: tokens}
        default: {$ref: "#/components/responses/Error"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
  responses:
    Error:
      description: a problem
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
  schemas:
    Problem:
      type: object
      required: [type, title, status]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
`

const contactsSpec = `
openapi: 3.0.3
info: {title: contacts, version: "1.0"}
servers: [{url: "http://contacts.internal"}]
tags: [{name: contacts}, {name: auth, description: duplicate tag}]
paths:
  /v1/contacts:
    get:
      operationId: listItems
      tags: [contacts]
      responses:
        "200":
          description: contacts
          content:
            application/json:
              schema:
                type: array
                items: {$ref: "#/components/schemas/Item"}
  /v1/contacts/{contactId}:
    get:
      operationId: getContact
      parameters:
        - {name: contactId, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: a contact
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Item"}
        "404":
          description: not found
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
components:
  schemas:
    Item:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        price: {$ref: "#/components/schemas/Money"}
    Money:
      type: object
      properties:
        amount: {type: integer}
        currency: {type: string}
    Problem:
      type: object
      required: [type, title, status]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
`

const salesSpec = `{
  "openapi": "3.0.3",
  "info": {"title": "sales", "version": "1.0"},
  "paths": {
    "/v1/leads": {
      "post": {
        "operationId": "listItems",
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
        "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}
      }
    }
  },
  "components": {
    "schemas": {
      "Item": {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}, "value": {"$ref": "#/components/schemas/Money"}}},
      "Money": {"type": "object", "properties": {"amount": {"type": "integer"}, "currency": {"type": "string"}}}
    }
  }
}`

// mergedDoc merges and loads the result with kin-openapi.
func mergedDoc(t *testing.T, services map[string][]byte) (*openapi3.T, map[string]any) {
	t.Helper()
	b, err := Merge([]byte(gatewaySpec), services)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the merged document is not valid: %v", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return doc, raw
}

func TestMerge(t *testing.T) {
	doc, raw := mergedDoc(t, map[string][]byte{"contacts": []byte(contactsSpec), "sales": []byte(salesSpec)})

	t.Run("document", func(t *testing.T) {
		tests := []struct{ what, got, want string }{
			{"openapi", doc.OpenAPI, "3.0.3"},
			{"title", doc.Info.Title, "Rapport API"},
			{"server", doc.Servers[0].URL, "https://crm.example.com"},
			{"servers", string(rune('0' + len(doc.Servers))), "1"},
		}
		for _, tt := range tests {
			if tt.got != tt.want {
				t.Errorf("%s = %q, want %q", tt.what, tt.got, tt.want)
			}
		}
	})

	t.Run("paths", func(t *testing.T) {
		for _, p := range []string{"/v1/auth/login", "/v1/contacts", "/v1/contacts/{contactId}", "/v1/leads"} {
			if doc.Paths.Find(p) == nil {
				t.Errorf("path %s missing", p)
			}
		}
		if got := doc.Paths.Len(); got != 4 {
			t.Errorf("paths = %d, want 4", got)
		}
	})

	t.Run("schemas", func(t *testing.T) {
		tests := []struct {
			name     string
			want     bool
			wantProp string // a property the schema has
		}{
			{"Problem", true, "status"},    // the gateway's; contacts' is identical and merges
			{"Money", true, "currency"},    // identical in contacts and sales: one copy
			{"ContactsItem", true, "name"}, // Item differs between contacts and sales
			{"SalesItem", true, "title"},   //
			{"Item", false, ""},            // no unprefixed Item is left
			{"ContactsProblem", false, ""}, // identical copies are not prefixed
			{"SalesMoney", false, ""},      //
			{"ContactsMoney", false, ""},   //
		}
		for _, tt := range tests {
			s, ok := doc.Components.Schemas[tt.name]
			if ok != tt.want {
				t.Errorf("schema %s present = %v, want %v", tt.name, ok, tt.want)
				continue
			}
			if ok && s.Value.Properties[tt.wantProp] == nil {
				t.Errorf("schema %s lacks property %s: wrong definition", tt.name, tt.wantProp)
			}
		}
	})

	t.Run("refs rewritten", func(t *testing.T) {
		tests := []struct {
			path, method, want string
			ref                func(op map[string]any) string
		}{
			{"/v1/contacts/{contactId}", "get", "#/components/schemas/ContactsItem", func(op map[string]any) string {
				return dig(op, "responses", "200", "content", "application/json", "schema", "$ref")
			}},
			{"/v1/contacts", "get", "#/components/schemas/ContactsItem", func(op map[string]any) string {
				return dig(op, "responses", "200", "content", "application/json", "schema", "items", "$ref")
			}},
			{"/v1/leads", "post", "#/components/schemas/SalesItem", func(op map[string]any) string {
				return dig(op, "requestBody", "content", "application/json", "schema", "$ref")
			}},
			{"/v1/contacts/{contactId}", "get", "#/components/schemas/Problem", func(op map[string]any) string {
				return dig(op, "responses", "404", "content", "application/problem+json", "schema", "$ref")
			}},
		}
		for _, tt := range tests {
			op, ok := node(raw, "paths", tt.path, tt.method).(map[string]any)
			if !ok {
				t.Errorf("%s %s: no such operation in the merged document", tt.method, tt.path)
				continue
			}
			if got := tt.ref(op); got != tt.want {
				t.Errorf("%s %s: $ref %q, want %q", tt.method, tt.path, got, tt.want)
			}
		}
		if got := doc.Components.Schemas["SalesItem"].Value.Properties["value"].Ref; got != "#/components/schemas/Money" {
			t.Errorf("SalesItem.value $ref = %q, want the shared Money", got)
		}
	})

	t.Run("operation ids and tags", func(t *testing.T) {
		ids := map[string]bool{}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if ids[op.OperationID] {
					t.Errorf("operationId %s twice", op.OperationID)
				}
				ids[op.OperationID] = true
			}
		}
		for _, id := range []string{"login", "listItems", "sales_listItems", "getContact"} {
			if !ids[id] {
				t.Errorf("operationId %s missing (have %v)", id, ids)
			}
		}
		var tags []string
		for _, tg := range doc.Tags {
			tags = append(tags, tg.Name)
		}
		if strings.Join(tags, ",") != "auth,contacts" {
			t.Errorf("tags = %v, want [auth contacts]", tags)
		}
	})
}

func TestMergeErrors(t *testing.T) {
	// /v1/contacts/{id} is contacts' /v1/contacts/{contactId} under another parameter name.
	conflicting := strings.Replace(salesSpec, `"/v1/leads"`, `"/v1/contacts/{id}"`, 1)
	conflicting = strings.Replace(conflicting, `"operationId": "listItems",`,
		`"operationId": "listItems", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],`, 1)
	tests := []struct {
		name     string
		services map[string][]byte
		wantErr  string
	}{
		{"conflicting path", map[string][]byte{"contacts": []byte(contactsSpec), "sales": []byte(conflicting)}, "path /v1/contacts/{id} of sales conflicts with contacts"},
		{"same path", map[string][]byte{"contacts": []byte(contactsSpec), "sales": []byte(strings.Replace(salesSpec, `"/v1/leads"`, `"/v1/contacts"`, 1))}, "path /v1/contacts of sales conflicts with contacts"},
		{"path of the gateway", map[string][]byte{"sales": []byte(strings.Replace(salesSpec, `"/v1/leads"`, `"/v1/auth/login"`, 1))}, "path /v1/auth/login of sales conflicts with gateway"},
		{"not a document", map[string][]byte{"sales": []byte("{not json")}, "sales"},
		{"invalid document", map[string][]byte{"sales": []byte(`{"openapi": "3.0.3", "paths": {}}`)}, "sales"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Merge([]byte(gatewaySpec), tt.services)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestMergeGatewayAlone(t *testing.T) {
	doc, _ := mergedDoc(t, nil)
	if doc.Paths.Len() != 1 {
		t.Errorf("paths = %d, want 1", doc.Paths.Len())
	}
}

func TestPrefixed(t *testing.T) {
	tests := []struct{ service, name, want string }{
		{"sales", "Item", "SalesItem"},
		{"custom-fields", "Problem", "CustomFieldsProblem"},
		{"kb_v2", "Article", "KbV2Article"},
		{"contacts", "limit", "ContactsLimit"},
	}
	for _, tt := range tests {
		if got := prefixed(tt.service, tt.name); got != tt.want {
			t.Errorf("prefixed(%q, %q) = %q, want %q", tt.service, tt.name, got, tt.want)
		}
	}
}

// dig follows keys through nested objects and returns the string at the end.
func dig(v any, keys ...string) string {
	s, _ := node(v, keys...).(string)
	return s
}

// node follows keys down nested JSON objects, nil where one is missing.
func node(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
