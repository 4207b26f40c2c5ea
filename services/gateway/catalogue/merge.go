package catalogue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/oasdiff/yaml"
)

// SourcePattern matches, relative to the repository's root, the AsyncAPI
// documents Merge reads: every service's, the gateway's own included.
const SourcePattern = "services/*/api/asyncapi.yaml"

// info is the merged document's info object.
var info = map[string]any{
	"title":   "Rapport events",
	"version": "1.0.0",
	"description": "Every event Rapport's services publish, one channel per topic: rapport.<context>.v1 on the " +
		"shared tier; a dedicated tenant's services publish to the same name with the prefix t.<tenant>. " +
		"(TOPIC_PREFIX), e.g. t.acme.rapport.sales.v1.\n\n" +
		"Each event is a CloudEvents 1.0 event in Kafka binary mode: the record value is the JSON payload, the " +
		"attributes are ce_* headers, and the record key is the entity's id (ce_subject), so one entity's events " +
		"stay in order on one partition. Webhooks deliver the same events in structured mode.\n\n" +
		"Merged by services/gateway/cmd/asyncapi-merge from each service's api/asyncapi.yaml, with every " +
		"payload's JSON Schema inlined.",
}

// servers is the merged document's servers object.
var servers = map[string]any{
	"kafka": map[string]any{
		"host":        "{brokers}",
		"protocol":    "kafka",
		"description": "The platform's Kafka cluster.",
		"variables": map[string]any{
			"brokers": map[string]any{
				"default":     "127.0.0.1:9092",
				"description": "a broker of KAFKA_BROKERS (make run starts one on 127.0.0.1:9092)",
			},
		},
	},
}

// MergeFS merges the documents of fsys (the repository's root) that match
// SourcePattern.
func MergeFS(fsys fs.FS) ([]byte, error) {
	files, err := fs.Glob(fsys, SourcePattern)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("catalogue: no document matches %s", SourcePattern)
	}
	return Merge(fsys, files)
}

// Merge writes one AsyncAPI 3.0 document of the events the documents at
// files (paths in fsys) send: for each operation whose action is send, its
// channel and the messages it sends, with every payload schema inlined
// (a schema file's own "#/…" references rebased onto where it lands) and the
// components the messages use copied under the name "<service>.<name>",
// <service> being the directory under services/. Operations that receive
// are left out, so a consumer's document never duplicates its producer's
// messages. The output is indented JSON, the same for the same inputs.
func Merge(fsys fs.FS, files []string) ([]byte, error) {
	m := &merger{
		fsys:       fsys,
		channels:   map[string]any{},
		operations: map[string]any{},
		components: map[string]map[string]any{"messages": {}},
	}
	files = slices.Sorted(slices.Values(files))
	for _, f := range files {
		if err := m.add(f); err != nil {
			return nil, fmt.Errorf("catalogue: %s: %w", f, err)
		}
	}
	components := map[string]any{}
	for kind, v := range m.components {
		components[kind] = v
	}
	doc := map[string]any{
		"asyncapi":           "3.0.0",
		"info":               info,
		"defaultContentType": "application/json",
		"servers":            servers,
		"channels":           m.channels,
		"operations":         m.operations,
		"components":         components,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// merger accumulates the merged document.
type merger struct {
	fsys       fs.FS
	channels   map[string]any
	operations map[string]any
	components map[string]map[string]any
}

// source is one document being merged.
type source struct {
	file    string         // its path in fsys
	service string         // the directory under services/
	doc     map[string]any // the document as JSON values
}

// add merges the send operations of the document at file.
func (m *merger) add(file string) error {
	raw, err := fs.ReadFile(m.fsys, file)
	if err != nil {
		return err
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return err
	}
	src := &source{file: file, service: serviceOf(file)}
	if err := json.Unmarshal(js, &src.doc); err != nil {
		return err
	}
	if src.doc["asyncapi"] != "3.0.0" {
		return fmt.Errorf("asyncapi is %v, want 3.0.0", src.doc["asyncapi"])
	}
	ops, _ := src.doc["operations"].(map[string]any)
	for _, opName := range slices.Sorted(maps.Keys(ops)) {
		op, _ := ops[opName].(map[string]any)
		if op == nil || op["action"] != "send" {
			continue
		}
		if err := m.addOperation(src, opName, op); err != nil {
			return fmt.Errorf("operation %s: %w", opName, err)
		}
	}
	return nil
}

// addOperation merges one send operation, its channel and its messages.
func (m *merger) addOperation(src *source, opName string, op map[string]any) error {
	chRef := refOf(op["channel"])
	chKey, ok := strings.CutPrefix(chRef, "#/channels/")
	if !ok {
		return fmt.Errorf("channel %q is not a reference to a channel", chRef)
	}
	ch, ok := src.resolve(chRef).(map[string]any)
	if !ok {
		return fmt.Errorf("channel %s does not resolve", chRef)
	}
	address, _ := ch["address"].(string)
	merged, _ := m.channels[chKey].(map[string]any)
	if merged == nil {
		merged = map[string]any{"address": address, "messages": map[string]any{}}
		for _, k := range []string{"title", "summary", "description"} {
			if v, ok := ch[k]; ok {
				merged[k] = v
			}
		}
		m.channels[chKey] = merged
	} else if merged["address"] != address {
		return fmt.Errorf("channel %s has the address %s here and %v elsewhere", chKey, address, merged["address"])
	}
	if _, dup := m.operations[opName]; dup {
		return fmt.Errorf("operation %s is defined twice", opName)
	}
	refs, _ := op["messages"].([]any)
	var sent []any
	for _, r := range refs {
		ref := refOf(r)
		msg, ok := src.resolve(ref).(map[string]any)
		if !ok {
			return fmt.Errorf("message %s does not resolve", ref)
		}
		name, _ := msg["name"].(string)
		if name == "" {
			return fmt.Errorf("message %s has no name", ref)
		}
		if _, dup := m.components["messages"][name]; dup {
			return fmt.Errorf("message %s is sent twice", name)
		}
		loc := "/components/messages/" + escape(name)
		inlined, err := m.walk(src, msg, loc)
		if err != nil {
			return fmt.Errorf("message %s: %w", name, err)
		}
		m.components["messages"][name] = inlined
		merged["messages"].(map[string]any)[name] = map[string]any{"$ref": "#" + loc}
		sent = append(sent, map[string]any{"$ref": "#/channels/" + escape(chKey) + "/messages/" + escape(name)})
	}
	out := map[string]any{"action": "send", "channel": map[string]any{"$ref": "#/channels/" + escape(chKey)}, "messages": sent}
	for _, k := range []string{"title", "summary", "description"} {
		if v, ok := op[k]; ok {
			out[k] = v
		}
	}
	m.operations[opName] = out
	return nil
}

// walk copies v of src, which lands at the pointer loc of the merged
// document: a reference to a component is kept, the component copied under
// "<service>.<name>"; any other reference inside the document is inlined;
// a reference to a file (a payload's JSON Schema) is inlined with its
// references rebased.
func (m *merger) walk(src *source, v any, loc string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && len(v) == 1 {
			return m.walkRef(src, ref, loc)
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			w, err := m.walk(src, e, loc+"/"+escape(k))
			if err != nil {
				return nil, err
			}
			out[k] = w
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			w, err := m.walk(src, e, fmt.Sprintf("%s/%d", loc, i))
			if err != nil {
				return nil, err
			}
			out[i] = w
		}
		return out, nil
	default:
		return v, nil
	}
}

// walkRef is walk of the reference object {"$ref": ref}.
func (m *merger) walkRef(src *source, ref, loc string) (any, error) {
	if !strings.HasPrefix(ref, "#") {
		return m.inlineFile(path.Join(path.Dir(src.file), ref), loc)
	}
	target := src.resolve(ref)
	if target == nil {
		return nil, fmt.Errorf("%s does not resolve", ref)
	}
	parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	if len(parts) == 3 && parts[0] == "components" && parts[1] != "messages" {
		kind, name := parts[1], src.service+"."+unescape(parts[2])
		dst := "/components/" + kind + "/" + escape(name)
		if m.components[kind] == nil {
			m.components[kind] = map[string]any{}
		}
		if _, done := m.components[kind][name]; !done {
			m.components[kind][name] = nil // breaks cycles
			w, err := m.walk(src, target, dst)
			if err != nil {
				return nil, err
			}
			m.components[kind][name] = w
		}
		return map[string]any{"$ref": "#" + dst}, nil
	}
	return m.walk(src, target, loc)
}

// inlineFile returns the JSON Schema file at file as it lands at loc: its
// $id and $schema dropped (the message's schemaFormat names the dialect),
// its "#…" references rebased onto loc, and references to further files
// inlined in turn.
func (m *merger) inlineFile(file, loc string) (any, error) {
	file, frag, _ := strings.Cut(file, "#")
	if frag != "" {
		return nil, fmt.Errorf("reference %s#%s: only whole files are inlined", file, frag)
	}
	raw, err := fs.ReadFile(m.fsys, file)
	if err != nil {
		return nil, err
	}
	var schema any
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if obj, ok := schema.(map[string]any); ok {
		delete(obj, "$id")
		delete(obj, "$schema")
	}
	return rebase(m, schema, file, loc, loc)
}

// rebase rewrites the references inside v, the part at the pointer at of a
// schema read from file whose root lands at root.
func rebase(m *merger, v any, file, root, at string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			switch {
			case strings.HasPrefix(ref, "#"):
				v["$ref"] = "#" + root + strings.TrimPrefix(ref, "#")
			case len(v) == 1:
				return m.inlineFile(path.Join(path.Dir(file), ref), at)
			default:
				return nil, fmt.Errorf("%s: the reference to %s has siblings", file, ref)
			}
		}
		for k, e := range v {
			if k == "$ref" {
				continue
			}
			w, err := rebase(m, e, file, root, at+"/"+escape(k))
			if err != nil {
				return nil, err
			}
			v[k] = w
		}
	case []any:
		for i, e := range v {
			w, err := rebase(m, e, file, root, fmt.Sprintf("%s/%d", at, i))
			if err != nil {
				return nil, err
			}
			v[i] = w
		}
	}
	return v, nil
}

// resolve returns what ref ("#/a/b") points at in the document, following
// references to references, or nil.
func (s *source) resolve(ref string) any {
	v := pointer(s.doc, strings.TrimPrefix(ref, "#"))
	for range 16 {
		next := refOf(v)
		if !strings.HasPrefix(next, "#") {
			return v
		}
		v = pointer(s.doc, next[1:])
	}
	return nil
}

// serviceOf returns the service directory of a document's path
// ("services/sales/api/asyncapi.yaml" → "sales").
func serviceOf(file string) string {
	parts := strings.Split(path.Clean(file), "/")
	for i, p := range parts {
		if p == "services" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return strings.TrimSuffix(path.Base(file), path.Ext(file))
}

// refOf returns the $ref of a reference object, or "".
func refOf(v any) string {
	obj, _ := v.(map[string]any)
	ref, _ := obj["$ref"].(string)
	return ref
}
