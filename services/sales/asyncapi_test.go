package sales_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oasdiff/yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// asyncAPIPath is the service's AsyncAPI document; the schema files it
// references are relative to its folder.
const asyncAPIPath = "api/asyncapi.yaml"

// loadAsyncAPI reads the AsyncAPI document as JSON values.
func loadAsyncAPI(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(asyncAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s is not YAML: %v", asyncAPIPath, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatalf("%s is not an object: %v", asyncAPIPath, err)
	}
	return doc
}

// pointer resolves the JSON pointer ptr ("/a/b", "" for the root) in doc.
func pointer(doc any, ptr string) (any, bool) {
	v := doc
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)]; !ok {
			return nil, false
		}
	}
	return v, true
}

// refOf returns the "$ref" of ref ({"$ref": "#/..."}); anything else fails
// the test.
func refOf(t *testing.T, ref any) string {
	t.Helper()
	m, _ := ref.(map[string]any)
	r, ok := m["$ref"].(string)
	if !ok {
		t.Fatalf("%v is no reference in %s", ref, asyncAPIPath)
	}
	return r
}

// deref returns what ref ({"$ref": "#/..."}) points at in doc.
func deref(t *testing.T, doc map[string]any, ref any) map[string]any {
	t.Helper()
	r := refOf(t, ref)
	v, ok := pointer(doc, strings.TrimPrefix(r, "#"))
	m, isMap := v.(map[string]any)
	if !strings.HasPrefix(r, "#/") || !ok || !isMap {
		t.Fatalf("reference %v does not resolve to an object in %s", ref, asyncAPIPath)
	}
	return m
}

// schemaRefs walks v and returns every "$ref" it holds, checking that each
// local one ("#/...") resolves in doc.
func schemaRefs(t *testing.T, doc map[string]any, v any) []string {
	t.Helper()
	var refs []string
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "$ref" {
				if local, ok := strings.CutPrefix(s, "#"); ok {
					if _, found := pointer(doc, local); !found {
						t.Errorf("%s: $ref %s does not resolve", asyncAPIPath, s)
					}
				}
				refs = append(refs, s)
				continue
			}
			refs = append(refs, schemaRefs(t, doc, val)...)
		}
	case []any:
		for _, val := range x {
			refs = append(refs, schemaRefs(t, doc, val)...)
		}
	}
	return refs
}

func TestAsyncAPIDocumentsEveryEvent(t *testing.T) {
	doc := loadAsyncAPI(t)
	if doc["asyncapi"] != "3.0.0" {
		t.Fatalf("asyncapi = %v, want 3.0.0", doc["asyncapi"])
	}

	// Every file a $ref names exists and is a JSON Schema that compiles.
	c := jsonschema.NewCompiler()
	for _, ref := range schemaRefs(t, doc, doc) {
		if strings.HasPrefix(ref, "#") {
			continue
		}
		path, err := filepath.Abs(filepath.Join(filepath.Dir(asyncAPIPath), ref))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Compile(path); err != nil {
			t.Errorf("%s: schema %s does not load: %v", asyncAPIPath, ref, err)
		}
	}

	channel, _ := pointer(doc, "/channels/sales")
	ch, _ := channel.(map[string]any)
	if ch == nil || ch["address"] != registry.MustTopic("", registry.Sales) {
		t.Fatalf("channel sales is %v, want the address %s", channel, registry.MustTopic("", registry.Sales))
	}
	op, _ := pointer(doc, "/operations/publishSalesEvents")
	operation, _ := op.(map[string]any)
	if operation == nil || operation["action"] != "send" || deref(t, doc, operation["channel"])["address"] != ch["address"] {
		t.Fatalf("operation publishSalesEvents is %v, want send on channel sales", op)
	}
	refs, ok := operation["messages"].([]any)
	if !ok {
		t.Fatalf("operation publishSalesEvents has no list of messages: %v", operation)
	}
	var sent []string
	for _, ref := range refs {
		sent = append(sent, refOf(t, ref))
	}

	// Each message of the channel is one event type: its name, sent by the
	// operation, with the payload the type's schema in api/events.
	messages, ok := ch["messages"].(map[string]any)
	if !ok {
		t.Fatalf("channel sales has no messages: %v", ch)
	}
	documented := map[string]bool{}
	for name, ref := range messages {
		documented[name] = true
		msg := deref(t, doc, ref)
		if msg["name"] != name {
			t.Errorf("message %s is named %v", name, msg["name"])
		}
		if !slices.Contains(sent, "#/channels/sales/messages/"+name) {
			t.Errorf("message %s is not sent by publishSalesEvents", name)
		}
		payload, _ := msg["payload"].(map[string]any)
		schema, _ := payload["schema"].(map[string]any)
		if payload["schemaFormat"] != "application/schema+json;version=draft-2020-12" || schema["$ref"] != "./events/"+name+".json" {
			t.Errorf("message %s payload %v, want the draft 2020-12 schema ./events/%s.json", name, payload, name)
		}
	}
	if len(sent) != len(documented) {
		t.Errorf("publishSalesEvents sends %d messages, the channel has %d", len(sent), len(documented))
	}

	// The document lists exactly the events the service emits, and every
	// schema in api/events belongs to one of them.
	for _, typ := range pgstore.Events.Types() {
		if !documented[typ] {
			t.Errorf("event %s is emitted but not in %s", typ, asyncAPIPath)
		}
	}
	for name := range documented {
		if !slices.Contains(pgstore.Events.Types(), name) {
			t.Errorf("%s documents %s, which the service does not emit", asyncAPIPath, name)
		}
	}
	files, err := filepath.Glob("api/events/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".json"); !documented[name] {
			t.Errorf("schema %s is of no documented event", f)
		}
	}
}
