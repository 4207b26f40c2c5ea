package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// ReplayedHeaders are the response headers kept and replayed with the body.
var ReplayedHeaders = []string{"Content-Type", "ETag", "Location"}

// Middleware makes a route honour Idempotency-Key through keys: the first
// request with a key runs and its successful response is kept for 24 hours;
// a retry with the same key and body gets that response again (with
// Idempotent-Replayed: true), one with another body is ErrMismatch, and one
// while the first is still running is ErrInFlight (for ClaimLease at most:
// a process killed before it kept the outcome leaves its claim for a retry
// to take over then). Failed requests keep
// nothing, so they can be retried. A request without a key, or without a
// principal (auth.Middleware runs first), passes through.
//
// A body is told from another by its Content-Type and its first
// kitx.DefaultBodyLimit bytes, and a longer one (a file streamed to an
// upload route) also by its Content-Length; it reaches the handler whole,
// read as it streams in, never held in memory.
func Middleware(keys Keys, logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get(Header)
			p, ok := auth.PrincipalFrom(r.Context())
			if key == "" || !ok {
				next.ServeHTTP(w, r)
				return
			}
			if len(key) > MaxKeyLen {
				kitx.WriteProblem(w, r, ErrBadKey)
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, kitx.DefaultBodyLimit+1))
			if err != nil {
				kitx.WriteProblem(w, r, kitx.ErrMalformedJSON.WithDetail("the request body could not be read"))
				return
			}
			fingerprint := append([]byte(r.Header.Get("Content-Type")+"\n"), body...)
			if int64(len(body)) > kitx.DefaultBodyLimit {
				fingerprint = append(fingerprint, "\n"+strconv.FormatInt(r.ContentLength, 10)...)
				r.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
			} else {
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			sum := sha256.Sum256(fingerprint)
			hash, route := hex.EncodeToString(sum[:]), r.Method+" "+r.URL.Path
			prev, err := keys.Claim(r.Context(), p.TenantID, route, key, hash)
			switch {
			case err != nil:
				kitx.WriteProblem(w, r, err)
				return
			case prev != nil:
				replay(w, prev)
				return
			}
			rec := &recorder{StatusWriter: obs.StatusWriter{ResponseWriter: w}}
			next.ServeHTTP(rec, r)
			// Recording the outcome outlives the client and is not bounded
			// as the request's own work is (pg.WithLimits): a key left
			// claimed would refuse the client's retries.
			ctx := pg.WithLimits(context.WithoutCancel(r.Context()), pg.Limits{})
			if status := rec.Status(); status >= 200 && status < 300 {
				err = keys.Complete(ctx, p.TenantID, route, key, rec.response())
			} else {
				err = keys.Release(ctx, p.TenantID, route, key)
			}
			if err != nil {
				logger.ErrorContext(ctx, "idempotency key not recorded", "error", err.Error())
			}
		})
	}
}

// readCloser reads what Reader reads and closes Closer.
type readCloser struct {
	io.Reader
	io.Closer
}

// replay writes a kept response.
func replay(w http.ResponseWriter, prev *Response) {
	for k, v := range prev.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(prev.Status)
	_, _ = w.Write(prev.Body)
}

// recorder passes a response through and keeps a copy.
type recorder struct {
	obs.StatusWriter
	body bytes.Buffer
}

// Write implements http.ResponseWriter.
func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.StatusWriter.Write(b)
}

// response is what rec saw, to keep.
func (r *recorder) response() Response {
	h := map[string]string{}
	for _, name := range ReplayedHeaders {
		if v := r.Header().Get(name); v != "" {
			h[name] = v
		}
	}
	return Response{Status: r.Status(), Headers: h, Body: r.body.Bytes()}
}
