package specmerge

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Version is the OpenAPI version of the merged document.
const Version = "3.0.3"

// componentKinds are the sections of components that Merge unions.
var componentKinds = []string{
	"schemas", "responses", "parameters", "examples", "requestBodies",
	"headers", "securitySchemes", "links", "callbacks",
}

// httpMethods are the operation keys of a path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Merge returns the JSON of one OpenAPI 3.0.3 document holding gateway (the
// gateway's own document, JSON or YAML) and services (service name →
// document). See the package documentation for the rules; an error names
// the document or path at fault.
func Merge(gateway []byte, services map[string][]byte) ([]byte, error) {
	out, err := load("gateway", gateway)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(services))
	for name := range services {
		names = append(names, name)
	}
	sort.Strings(names)
	docs := make(map[string]map[string]any, len(names))
	for _, name := range names {
		if docs[name], err = load(name, services[name]); err != nil {
			return nil, err
		}
		dropUnnamedSchemes(docs[name])
		publicPortal(docs[name])
		publicMarketing(docs[name])
	}

	renames := planRenames(out, names, docs)
	owner := map[string]string{} // normalized path → document defining it
	paths := obj(out, "paths")
	for p := range paths {
		owner[normalizePath(p)] = "gateway"
	}
	opIDs := operationIDs(paths)
	tags := tagNames(out)
	for _, name := range names {
		doc := docs[name]
		rewriteRefs(doc, renames[name])
		comps := obj(out, "components")
		for _, kind := range componentKinds {
			for cname, v := range obj(obj(doc, "components"), kind) {
				target := obj(comps, kind)
				if n, ok := renames[name][kind][cname]; ok {
					cname = n
				}
				if _, exists := target[cname]; !exists {
					target[cname] = v
				}
			}
		}
		for p, item := range obj(doc, "paths") {
			key := normalizePath(p)
			if other, ok := owner[key]; ok {
				return nil, fmt.Errorf("specmerge: path %s of %s conflicts with %s", p, name, other)
			}
			owner[key] = name
			renameSecurity(item, renames[name]["securitySchemes"])
			dedupeOperationIDs(item, name, opIDs)
			paths[p] = item
		}
		for _, t := range arr(doc, "tags") {
			tm, _ := t.(map[string]any)
			if n, _ := tm["name"].(string); n != "" && !tags[n] {
				tags[n] = true
				out["tags"] = append(arr(out, "tags"), t)
			}
		}
	}
	documentErgonomics(out)
	out["openapi"] = Version
	if len(arr(out, "servers")) == 0 {
		out["servers"] = []any{map[string]any{"url": "/"}}
	}
	pruneEmpty(out)

	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("specmerge: %w", err)
	}
	merged, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("specmerge: the merged document does not load: %w", err)
	}
	if err := merged.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("specmerge: the merged document is not valid: %w", err)
	}
	return b, nil
}

// load parses and validates one document and returns it as generic JSON.
func load(name string, data []byte) (map[string]any, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("specmerge: %s: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("specmerge: %s: %w", name, err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("specmerge: %s: %w", name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("specmerge: %s: %w", name, err)
	}
	return m, nil
}

// planRenames decides, for each service, which of its components get a new
// name: those whose name another document (the gateway, or another
// service) uses for a different definition. The gateway's names never
// change.
func planRenames(gateway map[string]any, names []string, docs map[string]map[string]any) map[string]map[string]map[string]string {
	renames := make(map[string]map[string]map[string]string, len(names))
	for _, kind := range componentKinds {
		taken := map[string]bool{}
		for cname := range obj(obj(gateway, "components"), kind) {
			taken[cname] = true
		}
		for _, n := range names {
			for cname := range obj(obj(docs[n], "components"), kind) {
				taken[cname] = true
			}
		}
		for _, n := range names {
			for cname, v := range obj(obj(docs[n], "components"), kind) {
				if !collides(kind, cname, v, n, gateway, names, docs) {
					continue
				}
				newName := prefixed(n, cname)
				for i := 2; taken[newName]; i++ {
					newName = fmt.Sprintf("%s%d", prefixed(n, cname), i)
				}
				taken[newName] = true
				if renames[n] == nil {
					renames[n] = map[string]map[string]string{}
				}
				if renames[n][kind] == nil {
					renames[n][kind] = map[string]string{}
				}
				renames[n][kind][cname] = newName
			}
		}
	}
	return renames
}

// collides reports whether component cname (definition v) of service svc
// must be renamed. The copies of a name that all say the same thing merge
// into one; when they differ, the gateway's copy keeps the name and every
// service copy that differs from it is prefixed.
func collides(kind, cname string, v any, svc string, gateway map[string]any, names []string, docs map[string]map[string]any) bool {
	if g, ok := obj(obj(gateway, "components"), kind)[cname]; ok {
		return !reflect.DeepEqual(g, v)
	}
	for _, n := range names {
		if n == svc {
			continue
		}
		if o, ok := obj(obj(docs[n], "components"), kind)[cname]; ok && !reflect.DeepEqual(o, v) {
			return true
		}
	}
	return false
}

// prefixed returns cname prefixed with the service's name in PascalCase,
// its own first letter upper-cased: ("custom-fields", "Problem") →
// "CustomFieldsProblem", ("contacts", "limit") → "ContactsLimit".
func prefixed(service, cname string) string {
	var b strings.Builder
	upper := true
	for _, r := range service {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	first, size := utf8.DecodeRuneInString(cname)
	return b.String() + string(unicode.ToUpper(first)) + cname[size:]
}

// rewriteRefs points every local $ref in v at the renamed components.
func rewriteRefs(v any, renames map[string]map[string]string) {
	if len(renames) == 0 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && k == "$ref" {
				t[k] = renameRef(s, renames)
				continue
			}
			rewriteRefs(x, renames)
		}
	case []any:
		for _, x := range t {
			rewriteRefs(x, renames)
		}
	}
}

// renameRef rewrites "#/components/<kind>/<name>[/...]" when name was
// renamed; the name is a JSON pointer token (~0 is ~, ~1 is /).
func renameRef(ref string, renames map[string]map[string]string) string {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return ref
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 2 {
		return ref
	}
	name := strings.NewReplacer("~1", "/", "~0", "~").Replace(parts[1])
	n, ok := renames[parts[0]][name]
	if !ok {
		return ref
	}
	parts[1] = strings.NewReplacer("~", "~0", "/", "~1").Replace(n)
	return "#/components/" + strings.Join(parts, "/")
}

// dropUnnamedSchemes drops the security schemes of a service's document
// that none of its operations names. The document's top-level security says
// how the gateway calls the service (its internal token); behind the gateway
// an operation without a requirement of its own is secured as the gateway's
// document says, so that scheme means nothing to the merged document's
// readers.
func dropUnnamedSchemes(doc map[string]any) {
	named := map[string]bool{}
	for _, item := range obj(doc, "paths") {
		pi, _ := item.(map[string]any)
		for _, m := range httpMethods {
			op, _ := pi[m].(map[string]any)
			for _, req := range arr(op, "security") {
				rm, _ := req.(map[string]any)
				for n := range rm {
					named[n] = true
				}
			}
		}
	}
	schemes := obj(obj(doc, "components"), "securitySchemes")
	for n := range schemes {
		if !named[n] {
			delete(schemes, n)
		}
	}
}

// renameSecurity renames security schemes in the requirements of a path
// item's operations.
func renameSecurity(item any, renames map[string]string) {
	if len(renames) == 0 {
		return
	}
	pi, _ := item.(map[string]any)
	for _, m := range httpMethods {
		op, _ := pi[m].(map[string]any)
		for _, req := range arr(op, "security") {
			rm, _ := req.(map[string]any)
			for old, n := range renames {
				if v, ok := rm[old]; ok {
					delete(rm, old)
					rm[n] = v
				}
			}
		}
	}
}

// operationIDs returns the operationIds used in paths.
func operationIDs(paths map[string]any) map[string]bool {
	ids := map[string]bool{}
	for _, item := range paths {
		pi, _ := item.(map[string]any)
		for _, m := range httpMethods {
			if op, ok := pi[m].(map[string]any); ok {
				if id, _ := op["operationId"].(string); id != "" {
					ids[id] = true
				}
			}
		}
	}
	return ids
}

// dedupeOperationIDs prefixes a service's operationId that is already used
// ("listItems" → "sales_listItems") and records the ids of item.
func dedupeOperationIDs(item any, service string, ids map[string]bool) {
	pi, _ := item.(map[string]any)
	for _, m := range httpMethods {
		op, ok := pi[m].(map[string]any)
		if !ok {
			continue
		}
		id, _ := op["operationId"].(string)
		if id == "" {
			continue
		}
		for base, i := id, 2; ids[id]; i++ {
			id = service + "_" + base
			if i > 2 {
				id = fmt.Sprintf("%s_%s%d", service, base, i)
			}
		}
		op["operationId"] = id
		ids[id] = true
	}
}

// tagNames returns the names of doc's declared tags.
func tagNames(doc map[string]any) map[string]bool {
	names := map[string]bool{}
	for _, t := range arr(doc, "tags") {
		if tm, ok := t.(map[string]any); ok {
			if n, _ := tm["name"].(string); n != "" {
				names[n] = true
			}
		}
	}
	return names
}

// templateParam matches a path template parameter.
var templateParam = regexp.MustCompile(`\{[^}/]*\}`)

// normalizePath makes paths that differ only in parameter names equal:
// /v1/contacts/{id} and /v1/contacts/{contactId} are the same route.
func normalizePath(p string) string {
	return templateParam.ReplaceAllString(p, "{}")
}

// obj returns m[key] as an object, creating it when absent.
func obj(m map[string]any, key string) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	if v, ok := m[key].(map[string]any); ok {
		return v
	}
	v := map[string]any{}
	m[key] = v
	return v
}

// arr returns m[key] as an array, or nil.
func arr(m map[string]any, key string) []any {
	if m == nil {
		return nil
	}
	v, _ := m[key].([]any)
	return v
}

// pruneEmpty drops the empty component sections obj created.
func pruneEmpty(doc map[string]any) {
	comps, _ := doc["components"].(map[string]any)
	for k, v := range comps {
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			delete(comps, k)
		}
	}
}
