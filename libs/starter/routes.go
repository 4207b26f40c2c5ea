package starter

import (
	"context"
	"log/slog"
	"net/http"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/idempotency"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// mountRoutes registers each route on mux as "METHOD PATH": the gateway's
// internal token is verified, then (for a POST) Idempotency-Key is honoured
// through keys, then the route's permission is checked, then its endpoint
// runs.
func mountRoutes(mux *http.ServeMux, api API, verifier *auth.Verifier, keys idempotency.Keys, logger *slog.Logger) {
	opts := kitx.ServerOptions(logger)
	if api.ErrorEncoder != nil {
		opts = append(opts, kithttp.ServerErrorEncoder(api.ErrorEncoder))
	}
	authenticated := auth.Middleware(verifier)
	idempotent := idempotency.Middleware(keys, logger)
	for _, r := range api.Routes {
		decode, encode := r.Decode, r.Encode
		if decode == nil {
			decode = noInput
		}
		if encode == nil {
			encode = kitx.EncodeJSON
		}
		var h http.Handler = kithttp.NewServer(auth.RequirePermission(r.Permission)(r.Endpoint), decode, encode, opts...)
		if r.Method == http.MethodPost {
			h = idempotent(h)
		}
		mux.Handle(r.Method+" "+r.Path, authenticated(h))
	}
}

// noInput is the decoder of routes without input.
func noInput(context.Context, *http.Request) (any, error) { return nil, nil }
