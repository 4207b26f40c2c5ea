package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// uuidPattern matches a record id (every service's ids are UUIDs).
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// harvest finds a tenant's records through its own list routes, as one
// caller (its administrator) sees them.
type harvest struct {
	gw     string
	token  string
	gets   map[string]bool             // the templates with a GET operation
	lists  map[string][]map[string]any // concrete list path → the items of its first page
	allIDs map[string]bool             // every record id (a UUID "id") found
}

func newHarvest(gw, token string, ops []sweepOp) *harvest {
	h := &harvest{gw: gw, token: token, gets: map[string]bool{}, lists: map[string][]map[string]any{}, allIDs: map[string]bool{}}
	for _, o := range ops {
		if o.method == http.MethodGet {
			h.gets[o.path] = true
		}
	}
	return h
}

// noRecord fills a parameter for which the tenant has no record.
const noRecord = "00000000-0000-7000-8000-000000000000"

// values fills o's path parameters from the tenant's records: each
// parameter ending a segment of a collection with a GET (/v1/contacts/{id}
// after /v1/contacts) takes the first item's member of the parameter's
// name, else its id. records is true when every value is a record id (a
// UUID) of the tenant; found is false when a parameter has no list or its
// list is empty (it is then noRecord).
func (h *harvest) values(t *testing.T, o sweepOp) (values []string, records, found bool) {
	var concrete []string
	records, found = true, true
	for _, seg := range strings.Split(o.path, "/") {
		name, ok := strings.CutPrefix(seg, "{")
		if !ok {
			concrete = append(concrete, seg)
			continue
		}
		name = strings.TrimSuffix(name, "}")
		var items []map[string]any
		if h.gets[templateOf(o.path, len(concrete))] {
			items = h.list(t, strings.Join(concrete, "/"))
		}
		v := ""
		for _, item := range items {
			if v = member(item, name); v != "" {
				break
			}
		}
		if v == "" {
			v, found = noRecord, false
		}
		if !uuidPattern.MatchString(v) || !found {
			records = false
		}
		values = append(values, v)
		concrete = append(concrete, url.PathEscape(v))
	}
	return values, records, found
}

// member returns item's member name (a string or a number), else its id.
func member(item map[string]any, name string) string {
	for _, key := range []string{name, "id"} {
		switch v := item[key].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

// templateOf returns the first n segments of template.
func templateOf(template string, n int) string {
	return strings.Join(strings.Split(template, "/")[:n], "/")
}

// list returns the items of the first page of the list at path (a
// concrete path), reading it once.
func (h *harvest) list(t *testing.T, path string) []map[string]any {
	if items, ok := h.lists[path]; ok {
		return items
	}
	res := stack.Do(t, stack.Request{Method: http.MethodGet, URL: h.gw + path + "?limit=50", Token: h.token})
	var items []map[string]any
	if res.Status == http.StatusOK {
		var v any
		if json.Unmarshal(res.Body, &v) == nil {
			items = listOf(v)
		}
	}
	for _, item := range items {
		if id, ok := item["id"].(string); ok && uuidPattern.MatchString(id) {
			h.allIDs[id] = true
		}
	}
	h.lists[path] = items
	return items
}

// listOf returns the items of a list answer: the first non-empty array of
// objects at the top or one level down.
func listOf(v any) []map[string]any {
	var arrays [][]any
	switch v := v.(type) {
	case []any:
		arrays = append(arrays, v)
	case map[string]any:
		for _, x := range v {
			if a, ok := x.([]any); ok {
				arrays = append(arrays, a)
			}
		}
	}
	for _, a := range arrays {
		var items []map[string]any
		for _, x := range a {
			if m, ok := x.(map[string]any); ok {
				items = append(items, m)
			}
		}
		if len(items) > 0 {
			return items
		}
	}
	return nil
}

// listItems counts the items of a list answer: the longest array at the
// top or one level down.
func listItems(body []byte) int {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return -1
	}
	longest := 0
	switch v := v.(type) {
	case []any:
		longest = len(v)
	case map[string]any:
		for _, x := range v {
			if a, ok := x.([]any); ok && len(a) > longest {
				longest = len(a)
			}
		}
	}
	return longest
}

// candidates returns up to n concrete paths of o on the tenant's records:
// its values (values) with the last parameter taken from each item of its
// list in turn, for an operation the first record does not allow (a
// built-in saved view, say).
func (h *harvest) candidates(t *testing.T, o sweepOp, n int) []string {
	values, _, found := h.values(t, o)
	if !found {
		return nil
	}
	segs := strings.Split(o.path, "/")
	last := len(segs) - 1
	for !strings.HasPrefix(segs[last], "{") {
		last--
	}
	name := strings.Trim(segs[last], "{}")
	prefix := templateOf(o.concrete(values), last)
	var out []string
	for _, item := range h.list(t, prefix) {
		if v := member(item, name); v != "" && len(out) < n {
			values[len(values)-1] = v
			out = append(out, o.concrete(values))
		}
	}
	return out
}
