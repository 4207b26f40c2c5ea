// Package audit keeps the gateway's audit log: who did what, for which
// tenant, from where, with what result.
//
// Middleware records every mutating request (any method but GET, HEAD and
// OPTIONS) of an authenticated caller, with the names of the fields an update
// changed when the service reports them (never their values), and the reads
// of personal data its Policy names from the gateway's route table
// (proxy.Route.Data): a record or what hangs under it, a search, a list page
// larger than the bulk-read limit, an export. The login handlers call Record
// for login successes and failures. Entries go through a bounded buffer to a
// Writer that inserts them in batches in the background, so a slow database
// does not slow requests; when the buffer is full, Record waits a moment
// and then counts and logs the entry it could not keep (Writer.Dropped),
// never losing one silently.
//
// The table audit_log (Migrations) is tenant-owned under forced row-level
// security and append-only for the gateway's role: there is no UPDATE
// policy, and DELETE is allowed only to the retention job (Store.Prune) for
// entries older than the cut-off it sets. Handler serves GET /v1/audit to
// a tenant's admins.
package audit
