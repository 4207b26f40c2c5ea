// Package ratelimit limits the request rate of each tenant and of each API
// key, with the generic cell rate algorithm (GCRA, a token bucket kept as one
// timestamp per bucket).
//
// Middleware answers a request over a limit with 429, Retry-After and the
// RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers of the
// IETF draft (draft-ietf-httpapi-ratelimit-headers), and sets the same
// headers on every response it lets through. Two Limiters implement the
// buckets: Memory, for a single gateway, and Redis, which keeps them in one
// Redis so every gateway replica shares the limits (an atomic Lua script,
// timed by the Redis server's clock).
package ratelimit
