package specmerge

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// The components documentErgonomics adds: what the gateway's ergonomics
// package and its rate limits do to every operation.
const (
	fieldsParam      = "Fields"
	ifNoneMatchParam = "IfNoneMatch"
	notModified      = "NotModified"
	etagHeader       = "ETag"
	retryAfterHeader = "RetryAfter"
)

// rateLimitHeaders are the IETF draft's headers on every signed-in answer,
// by component name.
var rateLimitHeaders = map[string]string{
	"RateLimitLimit":     "RateLimit-Limit",
	"RateLimitRemaining": "RateLimit-Remaining",
	"RateLimitReset":     "RateLimit-Reset",
}

// ergonomicsComponents are the headers, parameters and response
// documentErgonomics refers to.
func ergonomicsComponents() map[string]map[string]any {
	integer := func(desc string) map[string]any {
		return map[string]any{"description": desc, "schema": map[string]any{"type": "integer", "minimum": 0}}
	}
	notModifiedHeaders := map[string]any{"ETag": ref("headers", etagHeader)}
	for c, h := range rateLimitHeaders {
		notModifiedHeaders[h] = ref("headers", c)
	}
	return map[string]map[string]any{
		"headers": {
			"RateLimitLimit":     integer("The request quota of the limit nearest to being used up (the tenant's or the API key's)."),
			"RateLimitRemaining": integer("The requests left in that quota now."),
			"RateLimitReset":     integer("Seconds until that quota is whole again."),
			etagHeader: map[string]any{"description": "The representation's entity tag: the record's version, or a hash of the body. " +
				"Send it back in If-None-Match to be answered 304 when nothing changed.", "schema": map[string]any{"type": "string"}},
		},
		"parameters": {
			fieldsParam: map[string]any{"name": "fields", "in": "query", "style": "form", "explode": false,
				"description": "Sparse fieldset: keep only these members of each item (id is always kept). " +
					"A name the items do not have is a 400 naming it.",
				"schema": map[string]any{"type": "array", "items": map[string]any{"type": "string"}}},
			ifNoneMatchParam: map[string]any{"name": "If-None-Match", "in": "header",
				"description": "ETags of representations the client holds: when one is current, the answer is 304 without a body.",
				"schema":      map[string]any{"type": "string"}},
		},
		"responses": {
			notModified: map[string]any{"description": "Not modified: the representation If-None-Match names is current (no body).",
				"headers": notModifiedHeaders},
		},
	}
}

// documentErgonomics documents, on every operation of doc, the RateLimit-*
// headers of every response (Retry-After on a 429); on every signed-in GET
// (the public ones, such as the portal's, are not behind the ergonomics
// middleware), If-None-Match, the ETag of its 200 and a 304; and on every
// signed-in GET of a list (a 200 JSON object with an items array), the
// fields parameter.
func documentErgonomics(doc map[string]any) {
	comps := obj(doc, "components")
	for kind, add := range ergonomicsComponents() {
		target := obj(comps, kind)
		for name, v := range add {
			target[name] = v
		}
	}
	done := map[string]bool{} // the components.responses already given the headers
	for _, item := range obj(doc, "paths") {
		pi, _ := item.(map[string]any)
		for _, method := range httpMethods {
			op, ok := pi[method].(map[string]any)
			if !ok {
				continue
			}
			responses := obj(op, "responses")
			if sec, ok := op["security"].([]any); method == "get" && !(ok && len(sec) == 0) {
				addParam(doc, pi, op, ifNoneMatchParam, "If-None-Match", "header")
				if _, ok := itemFields(doc, responses); ok {
					addParam(doc, pi, op, fieldsParam, "fields", "query")
				}
				if r, ok := responses["200"].(map[string]any); ok && r["$ref"] == nil {
					addHeader(r, "ETag", etagHeader)
				}
				if _, ok := responses["304"]; !ok {
					responses["304"] = ref("responses", notModified)
				}
			}
			for code, r := range responses {
				rm, _ := r.(map[string]any)
				if target, ok := rm["$ref"].(string); ok {
					if done[target] {
						continue
					}
					done[target] = true
					if rm = resolve(doc, rm); rm == nil {
						continue
					}
				}
				for c, h := range rateLimitHeaders {
					addHeader(rm, h, c)
				}
				if code == "429" && addHeader(rm, "Retry-After", retryAfterHeader) {
					obj(comps, "headers")[retryAfterHeader] = map[string]any{"description": "Seconds to wait before retrying.",
						"schema": map[string]any{"type": "integer", "minimum": 0}}
				}
			}
		}
	}
}

// addHeader refers a response to the header component c under name, unless
// it declares that header already; it reports whether it added the reference.
func addHeader(response map[string]any, name, c string) bool {
	headers := obj(response, "headers")
	for h := range headers {
		if strings.EqualFold(h, name) {
			return false
		}
	}
	headers[name] = ref("headers", c)
	return true
}

// addParam refers op to the parameter component c, unless it or its path
// declares a parameter of that name and location already.
func addParam(doc, pathItem, op map[string]any, c, name, in string) {
	for _, p := range append(arr(pathItem, "parameters"), arr(op, "parameters")...) {
		pm := resolve(doc, p)
		if n, _ := pm["name"].(string); strings.EqualFold(n, name) && pm["in"] == in {
			return
		}
	}
	op["parameters"] = append(arr(op, "parameters"), ref("parameters", c))
}

// itemFields returns the member names of a list's items from a GET's
// responses: the properties of the items array of its 200 JSON object.
func itemFields(doc map[string]any, responses map[string]any) ([]string, bool) {
	ok := resolve(doc, responses["200"])
	media, _ := obj(ok, "content")["application/json"].(map[string]any)
	if media == nil {
		return nil, false
	}
	items := resolve(doc, properties(doc, resolve(doc, media["schema"]))["items"])
	if items == nil || items["type"] != "array" {
		return nil, false
	}
	props := properties(doc, resolve(doc, items["items"]))
	if len(props) == 0 {
		return nil, false
	}
	return slices.Sorted(maps.Keys(props)), true
}

// properties returns a schema's properties, those of its allOf included.
func properties(doc, schema map[string]any) map[string]any {
	out := map[string]any{}
	if schema == nil {
		return out
	}
	if p, ok := schema["properties"].(map[string]any); ok {
		maps.Copy(out, p)
	}
	for _, s := range arr(schema, "allOf") {
		maps.Copy(out, properties(doc, resolve(doc, s)))
	}
	return out
}

// resolve follows v's local $refs (a few levels at most) and returns the
// object they lead to, or nil.
func resolve(doc map[string]any, v any) map[string]any {
	m, _ := v.(map[string]any)
	for range 8 {
		target, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		parts := strings.Split(strings.TrimPrefix(target, "#/"), "/")
		var cur any = doc
		for _, p := range parts {
			cm, _ := cur.(map[string]any)
			cur = cm[strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")]
		}
		m, _ = cur.(map[string]any)
	}
	return nil
}

// ref is a $ref to a component.
func ref(kind, name string) map[string]any {
	return map[string]any{"$ref": "#/components/" + kind + "/" + name}
}

// listIndex maps the path templates of a merged document's list GETs to the
// member names of their items.
func listIndex(body []byte) map[string][]string {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	out := map[string][]string{}
	for p, item := range obj(doc, "paths") {
		op, _ := resolve(doc, item)["get"].(map[string]any)
		if names, ok := itemFields(doc, obj(op, "responses")); op != nil && ok {
			out[p] = names
		}
	}
	return out
}

// matchTemplate reports whether path matches the template p, and how many of
// its segments are literal (the more, the better the match).
func matchTemplate(p, path string) (literal int, ok bool) {
	ts, ps := strings.Split(p, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return 0, false
	}
	for i, t := range ts {
		switch {
		case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
			if ps[i] == "" {
				return 0, false
			}
		case t == ps[i]:
			literal++
		default:
			return 0, false
		}
	}
	return literal, true
}
