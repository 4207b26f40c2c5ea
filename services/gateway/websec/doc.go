// Package websec holds the gateway's browser-facing protections that wrap
// every answer: the security headers (Headers) and cross-origin resource
// sharing, refused unless configured (CORS).
//
// HSTS is sent when the gateway is published over TLS: the request itself
// came over TLS, or the gateway's public URL (GATEWAY_PUBLIC_URL) is https,
// which means a TLS-terminating proxy or ingress stands in front of it. No
// client header (X-Forwarded-Proto) is consulted: a browser ignores HSTS
// received over plain http anyway (RFC 6797 §8.1), and the public URL is
// the operator's statement, not the client's.
package websec
