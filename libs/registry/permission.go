package registry

import "net/http"

// Permission returns the permission the gateway demands of a request with
// method on r, a route of service: "<module>:read" when the method is GET
// or HEAD, when it is the POST of a Query route, or whatever the method on
// an OwnWrites route (the service checks whose things it changes);
// "<module>:write" for any other. The module is r.Module, or service.
func (r Route) Permission(service, method string) string {
	module := r.Module
	if module == "" {
		module = service
	}
	if method == http.MethodGet || method == http.MethodHead || r.Query && method == http.MethodPost || r.OwnWrites {
		return module + ":read"
	}
	return module + ":write"
}
