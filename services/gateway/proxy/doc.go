// Package proxy forwards the gateway's public API to the services behind it.
//
// A request is matched against the route Table (method and longest path
// prefix → service and permission), authenticated through an Authenticator,
// checked with Principal.Can, and sent to an instance of the owning service
// for the caller's tenant: the shared deployment for a shared tenant, the
// "tenant-<slug>" deployment for a dedicated one (TenantDirectory tells
// which), as found by a discovery.Resolver. A route whose service is not
// deployed at all (discovery.ErrNotDeployed: planned services such as sales
// before they exist) answers 501 feature-not-installed; a deployed service
// with no healthy instance answers 503.
//
// Each forwarded request carries an internal JWT (audience = service, 60 s),
// minted for its principal and service and reused for that pair during the
// first half of its lifetime, and nothing the client could use to
// impersonate anyone: inbound credentials and X-Tenant-*, X-User-* and
// X-Internal-* headers are stripped. Bodies stream both ways without
// buffering. Idempotent methods are retried on connection errors, on another
// instance when there is one, and every upstream instance sits behind its
// own circuit breaker.
package proxy
