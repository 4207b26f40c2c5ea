package ingest

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oasdiff/yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// asyncAPIPath is the document of the events the service consumes.
const asyncAPIPath = "../api/asyncapi.yaml"

// asyncRef is an AsyncAPI reference.
type asyncRef struct {
	Ref string `json:"$ref"`
}

// asyncAPIDoc is what the test reads of api/asyncapi.yaml.
type asyncAPIDoc struct {
	AsyncAPI string `json:"asyncapi"`
	Channels map[string]struct {
		Address  string              `json:"address"`
		Messages map[string]asyncRef `json:"messages"`
	} `json:"channels"`
	Operations map[string]struct {
		Action   string     `json:"action"`
		Channel  asyncRef   `json:"channel"`
		Messages []asyncRef `json:"messages"`
	} `json:"operations"`
	Components struct {
		Messages map[string]struct {
			Name    string `json:"name"`
			Payload struct {
				SchemaFormat string   `json:"schemaFormat"`
				Schema       asyncRef `json:"schema"`
			} `json:"payload"`
		} `json:"messages"`
	} `json:"components"`
}

// handlersOf are the handler maps by the context whose topic they read.
var handlersOf = map[string]map[string]apply{
	rm.Contacts: contactsHandlers, rm.Sales: salesHandlers, rm.Marketing: marketingHandlers, rm.Support: supportHandlers,
}

// api/asyncapi.yaml documents, per source context, a channel with the
// context's topic and a receive operation on it whose messages are
// exactly the types that context's handlers apply, each with its
// producer's schema as payload (which compiles); the service sends on
// none of those channels.
func TestAsyncAPIListsEveryHandledType(t *testing.T) {
	raw, err := os.ReadFile(asyncAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("%s is not YAML: %v", asyncAPIPath, err)
	}
	var doc asyncAPIDoc
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatalf("%s: %v", asyncAPIPath, err)
	}
	if doc.AsyncAPI != "3.0.0" {
		t.Errorf("asyncapi %q, want 3.0.0", doc.AsyncAPI)
	}
	compiler := jsonschema.NewCompiler()
	for _, c := range rm.Contexts {
		ch, ok := doc.Channels[c]
		if !ok || ch.Address != registry.MustTopic("", c) {
			t.Errorf("channel %s %+v, want the address %s", c, ch, registry.MustTopic("", c))
			continue
		}
		handled := slices.Sorted(maps.Keys(handlersOf[c]))
		documented := slices.Sorted(maps.Keys(ch.Messages))
		if !slices.Equal(handled, documented) {
			t.Errorf("channel %s documents %v, the handlers apply %v", c, documented, handled)
		}
		op, ok := doc.Operations["receive"+strings.ToUpper(c[:1])+c[1:]+"Events"]
		var received []string
		for _, m := range op.Messages {
			received = append(received, strings.TrimPrefix(m.Ref, "#/channels/"+c+"/messages/"))
		}
		slices.Sort(received)
		if !ok || op.Action != "receive" || op.Channel.Ref != "#/channels/"+c || !slices.Equal(received, documented) {
			t.Errorf("operation receive %s %+v, want receive of every message of its channel", c, op)
		}
		for typ, r := range ch.Messages {
			msg, ok := doc.Components.Messages[strings.TrimPrefix(r.Ref, "#/components/messages/")]
			schema := "../../" + c + "/api/events/" + typ + ".json"
			if !ok || msg.Name != typ || msg.Payload.Schema.Ref != schema ||
				msg.Payload.SchemaFormat != "application/schema+json;version=draft-2020-12" {
				t.Errorf("message %s %+v, want named so with the schema %s", typ, msg, schema)
				continue
			}
			file, err := filepath.Abs(filepath.Join(filepath.Dir(asyncAPIPath), schema))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := compiler.Compile(file); err != nil {
				t.Errorf("message %s: schema %s does not compile: %v", typ, schema, err)
			}
		}
	}
	for name, op := range doc.Operations {
		if ch := strings.TrimPrefix(op.Channel.Ref, "#/channels/"); op.Action == "send" && handlersOf[ch] != nil {
			t.Errorf("operation %s sends on %s, which the service only reads", name, ch)
		}
	}
}
