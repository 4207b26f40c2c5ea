package kitx

import (
	"context"
	"log/slog"
	"net/http"

	kithttp "github.com/go-kit/kit/transport/http"
)

type requestKey struct{}

// ServerOptions returns the options every go-kit HTTP server in Rapport is
// built with: a before function that keeps the request and its id in the
// context, an after function that echoes the id on the response, and the
// problem+json error encoder, which logs 500s to logger (slog.Default() if
// nil) with the request id.
func ServerOptions(logger *slog.Logger) []kithttp.ServerOption {
	return []kithttp.ServerOption{
		kithttp.ServerBefore(before),
		kithttp.ServerAfter(after),
		kithttp.ServerErrorEncoder(ErrorEncoder(logger)),
	}
}

// ErrorEncoder returns the go-kit error encoder that writes every error as
// problem+json, logging 500s to logger (slog.Default() if nil); ServerOptions
// installs it.
func ErrorEncoder(logger *slog.Logger) kithttp.ErrorEncoder {
	if logger == nil {
		logger = slog.Default()
	}
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		r, _ := ctx.Value(requestKey{}).(*http.Request)
		writeProblem(ctx, w, r, err, logger)
	}
}

// before stores the request for the error encoder and makes sure the context
// carries a request id even when the handler is not wrapped in RequestID.
func before(ctx context.Context, r *http.Request) context.Context {
	ctx = context.WithValue(ctx, requestKey{}, r)
	if RequestIDFrom(ctx) == "" {
		ctx = WithRequestID(ctx, inboundOrNewRequestID(r))
	}
	return ctx
}

// after echoes the request id on successful responses.
func after(ctx context.Context, w http.ResponseWriter) context.Context {
	if id := RequestIDFrom(ctx); id != "" {
		w.Header().Set(RequestIDHeader, id)
	}
	return ctx
}
