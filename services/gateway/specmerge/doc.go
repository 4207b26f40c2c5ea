// Package specmerge builds the one OpenAPI document integrators read at
// GET /openapi.json: the gateway's own contract plus the contract of every
// service behind it.
//
// Merge unions the paths (a path two documents define is an error naming
// it) and the components; a component name that two documents define
// differently is prefixed with the service's name in that service's copy
// ("Problem" → "SalesProblem"), and that document's $refs are rewritten to
// follow. The result is OpenAPI 3.0.3 with the gateway's info, servers and
// security, and it is validated with kin-openapi before it is served. A
// service's own top-level security (how the gateway calls it) stays out:
// its operations are secured as the gateway's document says, unless one
// names a requirement of its own, whose schemes come along. The
// self-service portal's paths, which its service serves under /portal/v1,
// are listed where the gateway serves them to the public,
// /portal/{tenant}/api/v1/…, without security; so are the marketing
// service's public pages, served under /public/v1 and listed at
// /m/{tenant}/….
//
// The merge also documents what the gateway adds to every operation (the
// ergonomics and ratelimit packages): the RateLimit-* headers on every
// response (Retry-After on 429s), If-None-Match, the 200's ETag and a 304 on
// every signed-in GET, and the fields parameter on every signed-in GET of a
// list (a 200 object with an items array); Handler.ListFields tells the
// ergonomics middleware the member names of a list's items.
//
// Handler serves the merged document and keeps it current: with a
// discovery.Resolver it fetches each service's /openapi.json at start and
// periodically, keeping a service's last good document when a fetch fails.
package specmerge
