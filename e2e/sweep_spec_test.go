package e2e

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/registry"
)

// sweepOp is one operation of the merged OpenAPI document the gateway
// serves (GET /openapi.json): every route of every service, and the
// gateway's own.
type sweepOp struct {
	method, path string   // "PATCH", "/v1/contacts/{id}"
	params       []string // the path's parameters, in order
	limit        bool     // it takes a limit query parameter
	stream       bool     // it answers a stream (text/event-stream, a WebSocket's 101): not swept
	readOnly     []string // the readOnly properties of its request and answer schemas
	// service and route are the registry's route behind the path, for
	// the gateway's permission (service "" for the gateway's own routes).
	service string
	route   registry.Route
}

func (o sweepOp) String() string { return o.method + " " + o.path }

// platform reports whether o is the platform operator's (the gateway's
// /admin/v1/, with the platform token), not a tenant's.
func (o sweepOp) platform() bool { return o.service == "" && strings.HasPrefix(o.path, "/admin/v1/") }

// pathParam finds the parameters of a path template.
var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// sweepOps reads the merged document from the gateway at gw and returns
// its operations under /v1/ and /admin/v1/, sorted by path and method
// (reads first).
func sweepOps(t *testing.T, gw string) []sweepOp {
	t.Helper()
	res := stack.Must(t, stack.Request{Method: http.MethodGet, URL: gw + "/openapi.json"}, http.StatusOK, nil)
	doc, err := openapi3.NewLoader().LoadFromData(res.Body)
	if err != nil {
		t.Fatalf("merged OpenAPI: %v", err)
	}
	var ops []sweepOp
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(path, "/admin/v1/") {
			continue
		}
		service, route := routeOf(path)
		for method, op := range item.Operations() {
			o := sweepOp{method: method, path: path, service: service, route: route}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				o.params = append(o.params, m[1])
			}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && p.Value.Name == "limit" {
					o.limit = true
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					o.readOnly = append(o.readOnly, readOnlyProps(mt.Schema)...)
				}
			}
			if op.Responses != nil {
				for code, r := range op.Responses.Map() {
					if code == "101" || r.Value != nil && r.Value.Content.Get("text/event-stream") != nil {
						o.stream = true
					}
					if strings.HasPrefix(code, "2") && r.Value != nil {
						for _, mt := range r.Value.Content {
							o.readOnly = append(o.readOnly, readOnlyProps(mt.Schema)...)
						}
					}
				}
			}
			slices.Sort(o.readOnly)
			o.readOnly = slices.Compact(o.readOnly)
			if o.stream {
				t.Logf("sweep: %s answers a stream, left out", o)
				continue
			}
			ops = append(ops, o)
		}
	}
	order := map[string]int{http.MethodGet: 0, http.MethodHead: 1, http.MethodPost: 2, http.MethodPut: 3, http.MethodPatch: 4, http.MethodDelete: 5}
	slices.SortFunc(ops, func(a, b sweepOp) int {
		if c := order[a.method] - order[b.method]; c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	if len(ops) == 0 {
		t.Fatal("merged OpenAPI: no operations")
	}
	return ops
}

// readOnlyProps returns the names of the top-level properties s (or the
// schemas it combines) marks readOnly.
func readOnlyProps(s *openapi3.SchemaRef) []string {
	if s == nil || s.Value == nil {
		return nil
	}
	var out []string
	for name, p := range s.Value.Properties {
		if p.Value != nil && p.Value.ReadOnly {
			out = append(out, name)
		}
	}
	for _, sub := range slices.Concat(s.Value.AllOf, s.Value.OneOf, s.Value.AnyOf) {
		out = append(out, readOnlyProps(sub)...)
	}
	return out
}

// routeOf returns the registry's route owning path, the longest prefix
// matching on segment boundaries, as the gateway's route table picks it,
// and its service; "" for a path no service owns (the gateway's own).
func routeOf(path string) (string, registry.Route) {
	service, best := "", registry.Route{}
	for _, s := range registry.Default() {
		for _, r := range s.Routes {
			if (path == r.Prefix || strings.HasPrefix(path, r.Prefix+"/")) && len(r.Prefix) > len(best.Prefix) {
				service, best = s.Name, r
			}
		}
	}
	return service, best
}

// concrete fills o's path parameters with values, in order.
func (o sweepOp) concrete(values []string) string {
	i := 0
	return pathParam.ReplaceAllStringFunc(o.path, func(string) string {
		v := values[i]
		i++
		return v
	})
}
