package specmerge

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const listSpec = `
openapi: 3.0.3
info: {title: people, version: "1.0"}
paths:
  /v1/people:
    get:
      operationId: listPeople
      responses:
        "200":
          description: a page
          content:
            application/json:
              schema: {$ref: "#/components/schemas/PersonPage"}
        "429": {description: limited}
    post:
      operationId: createPerson
      responses:
        "201": {description: created}
        default: {$ref: "#/components/responses/Oops"}
  /v1/people/{id}:
    get:
      operationId: getPerson
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: if-none-match, in: header, schema: {type: string}}
      responses:
        "200":
          description: a person
          headers: {ETag: {schema: {type: string}, description: the version}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Person"}
  /v1/people/{id}/friends:
    get:
      security: []
      operationId: listFriends
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: a page
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {$ref: "#/components/schemas/Person"}}
components:
  responses:
    Oops: {description: a problem}
  schemas:
    Named:
      type: object
      properties:
        firstName: {type: string}
    Person:
      allOf:
        - {$ref: "#/components/schemas/Named"}
        - type: object
          properties:
            id: {type: string}
            email: {type: string}
    PersonPage:
      type: object
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Person"}}
        nextCursor: {type: string}
`

// TestErgonomicsMergeDocuments checks what the merge documents of the
// gateway's ergonomics: fields on list GETs only, If-None-Match, ETag and a
// 304 on every signed-in GET, and the RateLimit-* headers on every response.
func TestErgonomicsMergeDocuments(t *testing.T) {
	doc, _ := mergedDoc(t, map[string][]byte{"people": []byte(listSpec)})
	names := func(op *openapi3.Operation) []string {
		var out []string
		for _, p := range op.Parameters {
			out = append(out, p.Value.In+":"+p.Value.Name)
		}
		return out
	}
	list := doc.Paths.Find("/v1/people").Get
	if got := names(list); !slices.Equal(got, []string{"header:If-None-Match", "query:fields"}) {
		t.Fatalf("list parameters %v", got)
	}
	if p := list.Parameters[1]; p.Ref != "#/components/parameters/"+fieldsParam || p.Value.Schema.Value.Type.Is("array") == false {
		t.Fatalf("fields %+v", p)
	}
	if public := doc.Paths.Find("/v1/people/{id}/friends").Get; !slices.Equal(names(public), []string{"path:id"}) ||
		public.Responses.Value("304") != nil {
		t.Fatalf("a public GET got the signed-in GETs' additions: %v", names(public))
	}
	record := doc.Paths.Find("/v1/people/{id}").Get
	if got := names(record); !slices.Equal(got, []string{"path:id", "header:if-none-match"}) {
		t.Fatalf("record parameters %v (its own If-None-Match kept, no fields)", got)
	}
	if h := record.Responses.Value("200").Value.Headers["ETag"]; h.Ref != "" || h.Value.Description != "the version" {
		t.Fatalf("the service's ETag header was replaced: %+v", h)
	}
	for _, op := range []*openapi3.Operation{list, record} {
		if r := op.Responses.Value("304"); r == nil || r.Ref != "#/components/responses/"+notModified || r.Value.Headers["ETag"] == nil {
			t.Fatalf("%s: no 304 with ETag", op.OperationID)
		}
	}
	if h := list.Responses.Value("200").Value.Headers["ETag"]; h == nil || h.Ref != "#/components/headers/"+etagHeader {
		t.Fatalf("list 200 ETag %+v", h)
	}
	if create := doc.Paths.Find("/v1/people").Post; create.Responses.Value("304") != nil || len(create.Parameters) != 0 {
		t.Fatalf("a POST got GET's additions")
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
					if r.Value.Headers[h] == nil {
						t.Errorf("%s %s %s: no %s", method, path, code, h)
					}
				}
				if code == "429" && r.Value.Headers["Retry-After"] == nil {
					t.Errorf("%s %s 429: no Retry-After", method, path)
				}
			}
		}
	}
}

// TestErgonomicsListFields checks the Handler's index of list GETs, the
// ergonomics package's known member names.
func TestErgonomicsListFields(t *testing.T) {
	h, err := New(Config{Gateway: []byte(gatewaySpec), Specs: map[string][]byte{"people": []byte(listSpec)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"email", "firstName", "id"}
	for _, path := range []string{"/v1/people", "/v1/people/p1/friends"} {
		if got, ok := h.ListFields(path); !ok || !slices.Equal(got, want) {
			t.Fatalf("%s: %v %v", path, got, ok)
		}
	}
	for _, path := range []string{"/v1/people/p1", "/v1/people/p1/friends/x", "/v1/auth/login", "/v1/people//friends"} {
		if got, ok := h.ListFields(path); ok {
			t.Fatalf("%s is no list: %v", path, got)
		}
	}
}
