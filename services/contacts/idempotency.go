package contacts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
)

// IdempotencyHeader names the key a client sends to make a POST safe to retry.
const IdempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey bounds the key's length.
const maxIdempotencyKey = 255

// ErrBadIdempotencyKey is returned for an over-long Idempotency-Key.
var ErrBadIdempotencyKey = errs.New(errs.Invalid, "invalid-idempotency-key", "the Idempotency-Key must be 1 to 255 characters")

// replayedHeaders are the response headers stored and replayed with the body.
var replayedHeaders = []string{"Content-Type", "ETag", "Location"}

// storedResponse is the first response to a request with a key.
type storedResponse struct {
	Hash    string `db:"request_hash"`
	Status  int    `db:"status"`
	Headers []byte `db:"headers"`
	Body    []byte `db:"body"`
}

// idempotent makes a POST route honour Idempotency-Key: the first request
// with a key runs and its successful response is kept for 24 hours; a retry
// with the same key and body gets that response again, one with another body
// is ErrIdempotencyMismatch, and one while the first is still running is
// ErrIdempotencyInFlight. Failed requests keep nothing, so they can be retried.
func idempotent(store *Store, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(IdempotencyHeader)
		p, ok := auth.PrincipalFrom(r.Context())
		if key == "" || !ok {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > maxIdempotencyKey {
			kitx.WriteProblem(w, r, ErrBadIdempotencyKey)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, kitx.DefaultBodyLimit+1))
		if err != nil {
			kitx.WriteProblem(w, r, kitx.ErrMalformedJSON.WithDetail("the request body could not be read"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(r.Header.Get("Content-Type")+"\n"), body...))
		hash, route := hex.EncodeToString(sum[:]), r.Method+" "+r.URL.Path
		prev, err := store.claimKey(r.Context(), p.TenantID, route, key, hash)
		switch {
		case err != nil:
			kitx.WriteProblem(w, r, err)
			return
		case prev != nil:
			replay(w, prev)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		ctx := context.WithoutCancel(r.Context())
		if rec.status >= 200 && rec.status < 300 {
			err = store.completeKey(ctx, p.TenantID, route, key, rec)
		} else {
			err = store.releaseKey(ctx, p.TenantID, route, key)
		}
		if err != nil {
			logger.ErrorContext(ctx, "idempotency key not recorded", "error", err.Error())
		}
	})
}

// replay writes a stored response.
func replay(w http.ResponseWriter, prev *storedResponse) {
	var h map[string]string
	_ = json.Unmarshal(prev.Headers, &h) // written by completeKey
	for k, v := range h {
		w.Header().Set(k, v)
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(prev.Status)
	_, _ = w.Write(prev.Body)
}

// recorder passes a response through and keeps a copy.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

// WriteHeader implements http.ResponseWriter.
func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// claimKey records that a request with key is running and returns nil, or
// returns the stored response of an earlier identical request.
func (s *Store) claimKey(ctx context.Context, tenant, route, key, hash string) (prev *storedResponse, err error) {
	err = s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys
			WHERE route = $1 AND key = $2 AND created_at < now() - interval '24 hours'`, route, key); err != nil {
			return pg.MapError(err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, route, key, request_hash)
			VALUES (`+currentTenant+`, $1, $2, $3) ON CONFLICT DO NOTHING`, route, key, hash)
		if err != nil {
			return pg.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		prev = &storedResponse{}
		if err := tx.GetContext(ctx, prev, `SELECT request_hash, status, headers, body FROM idempotency_keys
			WHERE route = $1 AND key = $2`, route, key); err != nil {
			return pg.MapError(err)
		}
		switch {
		case prev.Hash != hash:
			return ErrIdempotencyMismatch
		case prev.Status == 0:
			return ErrIdempotencyInFlight
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return prev, nil
}

// completeKey stores the response of the request holding key.
func (s *Store) completeKey(ctx context.Context, tenant, route, key string, rec *recorder) error {
	h := map[string]string{}
	for _, name := range replayedHeaders {
		if v := rec.Header().Get(name); v != "" {
			h[name] = v
		}
	}
	headers, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, headers = $4, body = $5
			WHERE route = $1 AND key = $2`, route, key, rec.status, headers, rec.body.Bytes())
		return pg.MapError(err)
	})
}

// releaseKey forgets key after a failed request.
func (s *Store) releaseKey(ctx context.Context, tenant, route, key string) error {
	return s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE route = $1 AND key = $2`, route, key)
		if err != nil {
			return fmt.Errorf("release idempotency key: %w", pg.MapError(err))
		}
		return nil
	})
}
