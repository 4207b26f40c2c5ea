// Package ergonomics adds to the API's JSON reads what every service would
// otherwise repeat: conditional GETs and sparse fieldsets.
//
// Middleware buffers the 200 answer of a GET whose Content-Type is JSON
// (application/json or …+json) and that is at most Config.MaxBody bytes;
// event streams, CSV/XLSX downloads, WebSocket upgrades, other statuses and
// larger bodies pass through untouched, as they are written.
//
//   - ETag: the buffered answer keeps the service's ETag (a record's "<version>")
//     or gets a strong one from a hash of its body; If-None-Match naming it
//     (weak comparison, or "*") is answered 304 with no body and the same
//     ETag and Cache-Control. Cache-Control stays as it is (no-store: a
//     tenant's data stays out of caches), so the 304s serve clients that keep
//     what they read themselves and revalidate it, such as an integration's
//     sync.
//   - fields=a,b,c on a list (an answer whose object has an "items" array)
//     keeps only those members of each item, and "id" always. A name the
//     list's items do not have is a 400 problem naming the parameter
//     "fields" and the name. Config.Fields tells the known names (from the
//     merged OpenAPI document); without it, the names the page's items
//     carry are the known ones. The services never see the parameter.
//
// The RateLimit-* headers are the ratelimit package's, which sets them on
// every signed-in answer, this one's 304s and 400s included.
package ergonomics
