package contacts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// encodeError is the error encoder of the contacts API: libs/kitx's
// problem+json encoder, plus the two responses of duplicates and merges that
// a kind-to-status mapping cannot express. It is the one place they are made:
//
//   - a *MergedError (a read of a merged record) is a 301 to the final
//     winner, Location /v1/contacts/{id} or /v1/accounts/{id} (and the
//     path below it that was read), without a body;
//   - a *DuplicatesError (a create with duplicates) is kitx's 409 problem
//     with the extension member "duplicates" listing the candidates.
func encodeError(logger *slog.Logger) kithttp.ErrorEncoder {
	problem := kitx.ErrorEncoder(logger)
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		var moved *customer.MergedError
		if errors.As(err, &moved) {
			if id := kitx.RequestIDFrom(ctx); id != "" {
				w.Header().Set(kitx.RequestIDHeader, id)
			}
			w.Header().Set("Location", "/v1/"+moved.Entity+"s/"+moved.WinnerID+moved.Sub)
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		var dup *customer.DuplicatesError
		if !errors.As(err, &dup) {
			problem(ctx, err, w)
			return
		}
		buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
		problem(ctx, err, buf)
		var body map[string]json.RawMessage
		if json.Unmarshal(buf.body.Bytes(), &body) != nil {
			w.WriteHeader(buf.status)
			_, _ = w.Write(buf.body.Bytes())
			return
		}
		body["duplicates"], _ = json.Marshal(dup.Candidates) // a slice of plain structs always encodes
		w.WriteHeader(buf.status)
		_ = json.NewEncoder(w).Encode(body) // the status is sent; a write error has nowhere to go
	}
}

// bufferedResponse keeps a response's status and body and writes its headers
// to the real response's.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header implements http.ResponseWriter.
func (b *bufferedResponse) Header() http.Header { return b.header }

// WriteHeader implements http.ResponseWriter.
func (b *bufferedResponse) WriteHeader(code int) { b.status = code }

// Write implements http.ResponseWriter.
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
