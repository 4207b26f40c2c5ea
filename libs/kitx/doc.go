// Package kitx holds the go-kit HTTP transport helpers every Rapport service
// shares: server options, RFC 9457 problem+json errors, strict JSON request
// decoding with a size limit, opaque list cursors and page limits, request
// ids, and the JSON response encoder with ETags.
//
// A service's transport.go typically reads:
//
//	opts := kitx.ServerOptions(logger)
//	r.Handle("/v1/contacts", kithttp.NewServer(
//		makeCreateEndpoint(s), decodeCreateRequest, kitx.EncodeJSON, opts...))
//	handler := kitx.RequestID(auth.Middleware(verifier)(r))
//
// with decoders built on Decode, Limit and Cursors.DecodeCursor, and every
// error mapped to a status by StatusCode.
package kitx
