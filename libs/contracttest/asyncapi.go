package contracttest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/oasdiff/yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rapport-crm/rapport/libs/events"
)

// CheckAsyncAPI checks the AsyncAPI 3.0 document at path (a service's
// api/asyncapi.yaml) against the catalogue c of the events the service
// publishes to topic: every $ref resolves and every schema file compiles;
// the channel named for c.Context has topic as its address; the operation
// publish<Context>Events sends on it every message of the channel; each
// message is one event type, named so, with the draft 2020-12 schema
// ./events/<type>.json as payload; the document lists exactly c.Types();
// and every schema in the events folder beside it is of a documented event.
func CheckAsyncAPI(t testing.TB, path, topic string, c events.Catalogue) {
	t.Helper()
	a := asyncAPI{t: t, path: path, doc: loadAsyncAPI(t, path)}
	if a.doc["asyncapi"] != "3.0.0" {
		t.Fatalf("%s: asyncapi = %v, want 3.0.0", path, a.doc["asyncapi"])
	}

	// Every file a $ref names exists and is a JSON Schema that compiles.
	compiler := jsonschema.NewCompiler()
	for _, ref := range a.schemaRefs(a.doc) {
		if strings.HasPrefix(ref, "#") {
			continue
		}
		file, err := filepath.Abs(filepath.Join(filepath.Dir(path), ref))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := compiler.Compile(file); err != nil {
			t.Errorf("%s: schema %s does not load: %v", path, ref, err)
		}
	}

	name := c.Context
	opName := "publish" + string(unicode.ToUpper(rune(name[0]))) + name[1:] + "Events"
	channel, _ := pointer(a.doc, "/channels/"+name)
	ch, _ := channel.(map[string]any)
	if ch == nil || ch["address"] != topic {
		t.Fatalf("channel %s is %v, want the address %s", name, channel, topic)
	}
	op, _ := pointer(a.doc, "/operations/"+opName)
	operation, _ := op.(map[string]any)
	if operation == nil || operation["action"] != "send" || a.deref(operation["channel"])["address"] != ch["address"] {
		t.Fatalf("operation %s is %v, want send on channel %s", opName, op, name)
	}
	refs, ok := operation["messages"].([]any)
	if !ok {
		t.Fatalf("operation %s has no list of messages: %v", opName, operation)
	}
	var sent []string
	for _, ref := range refs {
		sent = append(sent, a.refOf(ref))
	}

	// Each message of the channel is one event type: its name, sent by the
	// operation, with the payload the type's schema in api/events.
	messages, ok := ch["messages"].(map[string]any)
	if !ok {
		t.Fatalf("channel %s has no messages: %v", name, ch)
	}
	documented := map[string]bool{}
	for msgName, ref := range messages {
		documented[msgName] = true
		msg := a.deref(ref)
		if msg["name"] != msgName {
			t.Errorf("message %s is named %v", msgName, msg["name"])
		}
		if !slices.Contains(sent, "#/channels/"+name+"/messages/"+msgName) {
			t.Errorf("message %s is not sent by %s", msgName, opName)
		}
		payload, _ := msg["payload"].(map[string]any)
		schema, _ := payload["schema"].(map[string]any)
		if payload["schemaFormat"] != "application/schema+json;version=draft-2020-12" || schema["$ref"] != "./events/"+msgName+".json" {
			t.Errorf("message %s payload %v, want the draft 2020-12 schema ./events/%s.json", msgName, payload, msgName)
		}
	}
	if len(sent) != len(documented) {
		t.Errorf("%s sends %d messages, the channel has %d", opName, len(sent), len(documented))
	}

	// The document lists exactly the events the service emits, and every
	// schema in api/events belongs to one of them.
	types := c.Types()
	for _, typ := range types {
		if !documented[typ] {
			t.Errorf("event %s is emitted but not in %s", typ, path)
		}
	}
	for msgName := range documented {
		if !slices.Contains(types, msgName) {
			t.Errorf("%s documents %s, which the service does not emit", path, msgName)
		}
	}
	files, err := filepath.Glob(filepath.Join(filepath.Dir(path), "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if msgName := strings.TrimSuffix(filepath.Base(f), ".json"); !documented[msgName] {
			t.Errorf("schema %s is of no documented event", f)
		}
	}
}

// asyncAPI is an AsyncAPI document as JSON values, with its path for
// messages.
type asyncAPI struct {
	t    testing.TB
	path string
	doc  map[string]any
}

// loadAsyncAPI reads the AsyncAPI document at path as JSON values.
func loadAsyncAPI(t testing.TB, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s is not YAML: %v", path, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatalf("%s is not an object: %v", path, err)
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
func (a asyncAPI) refOf(ref any) string {
	a.t.Helper()
	m, _ := ref.(map[string]any)
	r, ok := m["$ref"].(string)
	if !ok {
		a.t.Fatalf("%v is no reference in %s", ref, a.path)
	}
	return r
}

// deref returns what ref ({"$ref": "#/..."}) points at in the document.
func (a asyncAPI) deref(ref any) map[string]any {
	a.t.Helper()
	r := a.refOf(ref)
	v, ok := pointer(a.doc, strings.TrimPrefix(r, "#"))
	m, isMap := v.(map[string]any)
	if !strings.HasPrefix(r, "#/") || !ok || !isMap {
		a.t.Fatalf("reference %v does not resolve to an object in %s", ref, a.path)
	}
	return m
}

// schemaRefs walks v and returns every "$ref" it holds, checking that each
// local one ("#/...") resolves in the document.
func (a asyncAPI) schemaRefs(v any) []string {
	a.t.Helper()
	var refs []string
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "$ref" {
				if local, ok := strings.CutPrefix(s, "#"); ok {
					if _, found := pointer(a.doc, local); !found {
						a.t.Errorf("%s: $ref %s does not resolve", a.path, s)
					}
				}
				refs = append(refs, s)
				continue
			}
			refs = append(refs, a.schemaRefs(val)...)
		}
	case []any:
		for _, val := range x {
			refs = append(refs, a.schemaRefs(val)...)
		}
	}
	return refs
}
