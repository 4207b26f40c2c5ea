// Package idempotency makes POST requests safe to retry: a client sends an
// Idempotency-Key, the first request with it runs, and a retry with the same
// key and body gets the first one's response again. Middleware does it for
// any handler behind a small interface, Keys; Store keeps the keys in the
// service's PostgreSQL database (Migrations), under row-level security.
package idempotency

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Header names the key a client sends to make a POST safe to retry.
const Header = "Idempotency-Key"

// MaxKeyLen bounds the key's length.
const MaxKeyLen = 255

// ClaimLease is how long a claimed key refuses its retries with
// ErrInFlight while its request has not finished; after it the claim is
// taken to be a dead process's (killed between its work and Complete) and a
// retry runs again. It is a little longer than the gateway's wait for an
// answer (UPSTREAM_RESPONSE_HEADER_TIMEOUT, 30 s), after which no client is
// waiting for the first request any more. A handler whose work must not run
// twice records that it did in the work's own transaction and answers the
// retry from it (as sales' lead conversion does).
const ClaimLease = 45 * time.Second

// The errors of a request with a key.
var (
	ErrBadKey   = errs.New(errs.Invalid, "invalid-idempotency-key", "the Idempotency-Key must be 1 to 255 characters")
	ErrMismatch = errs.New(errs.Conflict, "idempotency-key-reused", "this Idempotency-Key was used with a different request")
	ErrInFlight = errs.New(errs.Conflict, "idempotency-key-in-flight", "a request with this Idempotency-Key is still being processed")
)

// Response is the first response to a request with a key, as kept.
type Response struct {
	Status  int
	Headers map[string]string // the replayed headers (ReplayedHeaders) it had
	Body    []byte
}

// Keys keeps the keys of each tenant's requests, for Middleware. A route is
// the request's method and path.
type Keys interface {
	// Claim records that the request with key and body hash is running and
	// returns nil, or returns the kept response of an earlier identical
	// request; ErrMismatch when the earlier request had another body,
	// ErrInFlight when it has not finished. A claim older than a day is
	// forgotten, and one still unfinished after ClaimLease too: the
	// process holding it died before it recorded the outcome.
	Claim(ctx context.Context, tenant, route, key, hash string) (*Response, error)
	// Complete keeps the response of the request holding key.
	Complete(ctx context.Context, tenant, route, key string, r Response) error
	// Release forgets key after a failed request, so it can be retried.
	Release(ctx context.Context, tenant, route, key string) error
}
