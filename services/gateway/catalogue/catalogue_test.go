package catalogue

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rapport-crm/rapport/libs/filter"
)

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../../.."

// TestCatalogueCurrent fails when the committed asyncapi.json is not what
// cmd/asyncapi-merge writes from the documents as they are now.
func TestCatalogueCurrent(t *testing.T) {
	fresh, err := MergeFS(os.DirFS(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, embedded) {
		t.Fatal("services/gateway/catalogue/asyncapi.json is stale: run go run ./services/gateway/cmd/asyncapi-merge")
	}
}

// TestCatalogueTypes checks that every event type a service documents (a
// schema in its api/events) is in the catalogue, on its context's channel,
// with the schema's properties, and that the catalogue has no other type.
func TestCatalogueTypes(t *testing.T) {
	c := Default()
	files, err := filepath.Glob(filepath.Join(repoRoot, "services/*/api/events/*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("only %d event schemas found", len(files))
	}
	want := map[string]bool{}
	for _, f := range files {
		typ := strings.TrimSuffix(filepath.Base(f), ".json")
		want[typ] = true
		m := c.Message(typ)
		if m == nil || !c.Has(typ) {
			t.Errorf("%s is not in the catalogue", typ)
			continue
		}
		// dev.rapport.<context>.…: the channel of the context's topic.
		if context := strings.Split(typ, ".")[2]; m.Channel != context {
			t.Errorf("%s is on channel %s, want %s", typ, m.Channel, context)
		}
		var schema map[string]any
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatal(err)
		}
		props, _ := schema["properties"].(map[string]any)
		got, _ := m.Schema["properties"].(map[string]any)
		if len(props) != len(got) {
			t.Errorf("%s: the catalogue's payload has %d properties, the schema %d", typ, len(got), len(props))
		}
	}
	for _, typ := range c.Types() {
		if !want[typ] {
			t.Errorf("the catalogue lists %s, which no service documents", typ)
		}
	}
	if c.Has("dev.rapport.sales.opportunity.nonexistent.v1") {
		t.Error("Has reports an unknown type")
	}
}

// TestCatalogueAsyncAPI validates the merged document against the AsyncAPI
// 3.0.0 JSON Schema, checks that every $ref in it resolves, that each
// operation sends only messages of its channel, and that every payload
// compiles as a draft 2020-12 JSON Schema.
func TestCatalogueAsyncAPI(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(embedded))
	if err != nil {
		t.Fatal(err)
	}
	meta, err := os.Open("testdata/asyncapi-3.0.0.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer meta.Close()
	metaDoc, err := jsonschema.UnmarshalJSON(meta)
	if err != nil {
		t.Fatal(err)
	}
	compiler := jsonschema.NewCompiler()
	if err := compiler.AddResource("https://rapport.dev/test/asyncapi-3.0.0.json", metaDoc); err != nil {
		t.Fatal(err)
	}
	spec, err := compiler.Compile("https://rapport.dev/test/asyncapi-3.0.0.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(doc); err != nil {
		t.Fatalf("the catalogue is not a valid AsyncAPI 3.0.0 document: %v", err)
	}

	c := Default()
	var refs []string
	collectRefs(c.root, &refs)
	for _, ref := range refs {
		if !strings.HasPrefix(ref, "#/") || pointer(c.root, ref[1:]) == nil {
			t.Errorf("$ref %s does not resolve inside the document", ref)
		}
	}
	ops, _ := c.root["operations"].(map[string]any)
	for name, o := range ops {
		op := o.(map[string]any)
		ch := refOf(op["channel"])
		for _, m := range op["messages"].([]any) {
			if !strings.HasPrefix(refOf(m), ch+"/messages/") {
				t.Errorf("operation %s sends %s, not a message of %s", name, refOf(m), ch)
			}
		}
	}

	schemas := jsonschema.NewCompiler()
	schemas.DefaultDraft(jsonschema.Draft2020)
	if err := schemas.AddResource("https://rapport.dev/test/catalogue.json", doc); err != nil {
		t.Fatal(err)
	}
	for _, typ := range c.Types() {
		loc := "https://rapport.dev/test/catalogue.json#/components/messages/" + escape(typ) + "/payload/schema"
		if _, err := schemas.Compile(loc); err != nil {
			t.Errorf("the payload of %s does not compile: %v", typ, err)
		}
	}
}

// collectRefs appends every $ref string under v to refs.
func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
				continue
			}
			collectRefs(e, refs)
		}
	case []any:
		for _, e := range v {
			collectRefs(e, refs)
		}
	}
}

// TestCatalogueDataFields checks the filter types of payload properties,
// for exact types and patterns.
func TestCatalogueDataFields(t *testing.T) {
	c := Default()
	won := c.DataFields([]string{"dev.rapport.sales.opportunity.won.v1"})
	for name, want := range map[string]filter.Type{
		"id": filter.UUID, "name": filter.String, "closeDate": filter.Date, "createdAt": filter.Time,
		"version": filter.Number, "tags": filter.StringArray, "status": filter.String,
	} {
		if got, ok := won[name]; !ok || got != want {
			t.Errorf("opportunity.won field %s is %v (%v), want %v", name, got, ok, want)
		}
	}
	for _, left := range []string{"amount", "contactRoles", "lineItems"} {
		if _, ok := won[left]; ok {
			t.Errorf("opportunity.won field %s (no scalar) is filterable", left)
		}
	}
	sales := c.DataFields([]string{"dev.rapport.sales.*"})
	if sales["id"] != filter.UUID || len(sales) < len(won) {
		t.Errorf("dev.rapport.sales.* gives %v", sales)
	}
	if got := c.DataFields([]string{"dev.rapport.nothing.*", "unknown"}); len(got) != 0 {
		t.Errorf("unknown types give %v", got)
	}
}

// TestCatalogueMergeConsumers checks that a document's receive operations
// add nothing, and that a file's own references are rebased where it lands.
func TestCatalogueMergeConsumers(t *testing.T) {
	fsys := fstest.MapFS{
		"services/a/api/asyncapi.yaml": {Data: []byte(`asyncapi: 3.0.0
info: {title: a, version: 1.0.0}
channels:
  a: {address: rapport.a.v1, messages: {t.a.v1: {$ref: '#/components/messages/t.a.v1'}}}
  b: {address: rapport.b.v1, messages: {t.b.v1: {$ref: '#/components/messages/t.b.v1'}}}
operations:
  publishAEvents: {action: send, channel: {$ref: '#/channels/a'}, messages: [{$ref: '#/channels/a/messages/t.a.v1'}]}
  receiveBEvents: {action: receive, channel: {$ref: '#/channels/b'}, messages: [{$ref: '#/channels/b/messages/t.b.v1'}]}
components:
  messages:
    t.a.v1: {name: t.a.v1, payload: {schemaFormat: application/schema+json;version=draft-2020-12, schema: {$ref: './events/t.a.v1.json'}}}
    t.b.v1: {name: t.b.v1, payload: {schema: {$ref: '../../b/api/events/t.b.v1.json'}}}
`)},
		"services/a/api/events/t.a.v1.json": {Data: []byte(`{"$id": "x", "$defs": {"n": {"type": "integer"}}, "properties": {"n": {"$ref": "#/$defs/n"}}}`)},
	}
	out, err := MergeFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Types(); len(got) != 1 || got[0] != "t.a.v1" {
		t.Fatalf("types %v, want only t.a.v1 (t.b.v1 is only received)", got)
	}
	if _, ok := c.Message("t.a.v1").Schema["$id"]; ok {
		t.Error("the inlined schema kept its $id")
	}
	if got := c.DataFields([]string{"t.a.v1"}); got["n"] != filter.Number {
		t.Errorf("fields %v, want n a number through the rebased $ref", got)
	}
}
