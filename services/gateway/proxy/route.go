package proxy

import (
	"fmt"
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Route maps a path prefix to the service that owns it and the permission
// module guarding it: a registry.Route with its service's name. A request
// needs "<module>:read" when its method is GET or HEAD, when it is the POST
// of a Query route, or whatever its method on an OwnWrites route (the
// service checks whose things it changes); any other needs "<module>:write".
type Route struct {
	// Prefix, Module, Query, OwnWrites, Data and Exports are as in registry.Route;
	// Module defaults to Service.
	Prefix    string
	Module    string
	Query     bool
	OwnWrites bool
	Data      Data
	Exports   []string
	// Service is the discovery name of the owning service ("contacts").
	Service string
}

// Data is what a route's records hold, for the audit log (registry.Data).
type Data = registry.Data

// The kinds of Data, as the registry declares them.
const (
	PlainData    = registry.PlainData
	PersonalData = registry.PersonalData
	ExportData   = registry.ExportData
)

// Permission returns the permission a request with method needs on r
// (registry.Route.Permission).
func (r Route) Permission(method string) string {
	return registry.Route{Module: r.Module, Query: r.Query, OwnWrites: r.OwnWrites}.Permission(r.Service, method)
}

// Exported reports whether path (under r's prefix) is one of the record
// sub-resources r.Exports names: <prefix>/{id}/<name>.
func (r Route) Exported(path string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(path, "/"), r.Prefix+"/")
	if !ok {
		return false
	}
	id, name, ok := strings.Cut(rest, "/")
	return ok && id != "" && slices.Contains(r.Exports, name)
}

// IsRead reports whether method only reads (GET or HEAD).
func IsRead(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// DefaultRoutes returns the routes of the public API to the services of
// the registry, built and planned (DESIGN §1). A route of a service that is
// not deployed answers 501 (ErrNotInstalled).
func DefaultRoutes() []Route { return Routes(registry.Default()) }

// Routes returns the routes the services of reg declare.
func Routes(reg registry.Registry) []Route {
	var routes []Route
	for _, s := range reg {
		for _, r := range s.Routes {
			routes = append(routes, Route{Prefix: r.Prefix, Service: s.Name, Module: r.Module, Query: r.Query, OwnWrites: r.OwnWrites, Data: r.Data, Exports: r.Exports})
		}
	}
	return routes
}

// Table finds the Route of a request path; the longest matching prefix wins.
// It is immutable and safe for concurrent use.
type Table struct {
	routes []Route // longest prefix first
}

// NewTable checks routes and returns their Table. Every prefix must start
// with "/", not end with "/" and appear once; every route needs a service.
func NewTable(routes []Route) (*Table, error) {
	seen := make(map[string]bool, len(routes))
	sorted := make([]Route, 0, len(routes))
	for i, r := range routes {
		switch {
		case !strings.HasPrefix(r.Prefix, "/") || (len(r.Prefix) > 1 && strings.HasSuffix(r.Prefix, "/")):
			return nil, fmt.Errorf("proxy: route %d: prefix %q must start and not end with /", i, r.Prefix)
		case r.Service == "":
			return nil, fmt.Errorf("proxy: route %d (%s): no service", i, r.Prefix)
		case seen[r.Prefix]:
			return nil, fmt.Errorf("proxy: route %d: prefix %s listed twice", i, r.Prefix)
		}
		seen[r.Prefix] = true
		sorted = append(sorted, r)
	}
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].Prefix) > len(sorted[j].Prefix) })
	return &Table{routes: sorted}, nil
}

// Services returns the services the routes lead to, each once, in name
// order.
func (t *Table) Services() []string {
	var out []string
	for _, r := range t.routes {
		if !slices.Contains(out, r.Service) {
			out = append(out, r.Service)
		}
	}
	slices.Sort(out)
	return out
}

// Lookup returns the route of a request path: as Match, except that a path
// that path.Clean would change ("/v1/contacts/../users") matches nothing.
func (t *Table) Lookup(p string) (Route, bool) {
	trimmed := p
	if len(p) > 1 && p[len(p)-1] == '/' {
		trimmed = p[:len(p)-1]
	}
	if path.Clean(trimmed) != trimmed {
		return Route{}, false
	}
	return t.Match(p)
}

// RequireRoute is middleware that answers 404 route-not-found, before any
// authentication, to a request whose path no route of t leads to (Lookup),
// so an unknown path on the public port is not found whoever asks.
func RequireRoute(t *Table) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := t.Lookup(r.URL.Path); !ok {
				kitx.WriteProblem(w, r, ErrNoRoute.WithDetail("no API route matches %s", r.URL.Path))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Match returns the route owning path, if any.
func (t *Table) Match(path string) (Route, bool) {
	for _, r := range t.routes {
		if hasPathPrefix(path, r.Prefix) {
			return r, true
		}
	}
	return Route{}, false
}

// hasPathPrefix reports whether prefix is path or a run of its leading
// segments.
func hasPathPrefix(path, prefix string) bool {
	if prefix == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == prefix || strings.HasPrefix(path, prefix) && path[len(prefix)] == '/'
}
