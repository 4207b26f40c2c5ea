package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// APIKeyHeader is the header integrators may send their API key in, instead
// of "Authorization: Bearer rpk_...".
const APIKeyHeader = "X-Api-Key"

// apiKeyPrefix starts every Rapport API key.
const apiKeyPrefix = "rpk_"

// strippedPrefixes are the (lower-case) prefixes of inbound headers a client
// could use to pass itself off as someone else to a service; they never
// reach an upstream.
var strippedPrefixes = []string{"x-tenant-", "x-user-", "x-internal-"}

// strippedHeaders are inbound credentials, replaced upstream by the internal
// token: the services never see a user's token, API key or cookies.
var strippedHeaders = []string{"Authorization", APIKeyHeader, "Cookie", "Proxy-Authorization"}

// bearerProtocolPrefix starts the Sec-WebSocket-Protocol value in which a
// browser's WebSocket upgrade carries its user access token (as
// identity.BearerProtocolPrefix).
const bearerProtocolPrefix = "rapport.bearer."

// stripInbound removes from h every header a client must not pass to a
// service (see strippedPrefixes and strippedHeaders), and the access token
// from Sec-WebSocket-Protocol (stripBearerProtocol).
func stripInbound(h http.Header) {
	for _, name := range strippedHeaders {
		h.Del(name)
	}
	stripBearerProtocol(h)
	for name := range h {
		lower := strings.ToLower(name)
		for _, p := range strippedPrefixes {
			if strings.HasPrefix(lower, p) {
				delete(h, name)
				break
			}
		}
	}
}

// stripBearerProtocol removes from h's Sec-WebSocket-Protocol every value
// starting with bearerProtocolPrefix (in any case), keeping the others in
// their order, and the header itself when none is left: the service then
// echoes a subprotocol the client offered besides its token.
func stripBearerProtocol(h http.Header) {
	const name = "Sec-Websocket-Protocol"
	lines := h.Values(name)
	if len(lines) == 0 {
		return
	}
	var kept []string
	for _, line := range lines {
		var values []string
		for _, v := range strings.Split(line, ",") {
			v = strings.TrimSpace(v)
			if v != "" && !hasPrefixFold(v, bearerProtocolPrefix) {
				values = append(values, v)
			}
		}
		if len(values) > 0 {
			kept = append(kept, strings.Join(values, ", "))
		}
	}
	if len(kept) == 0 {
		h.Del(name)
		return
	}
	h[name] = kept
}

// hasPrefixFold reports whether s starts with prefix, in any case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// APIKeyID returns a stable, non-secret identifier of the API key r
// authenticates with ("Authorization: Bearer rpk_..." or X-Api-Key), or ""
// when r carries none. It is the first 16 bytes of the key's SHA-256 in hex,
// so rate limits and audit records can tell keys apart without storing them.
func APIKeyID(r *http.Request) string {
	key := r.Header.Get(APIKeyHeader)
	if key == "" {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(strings.TrimSpace(token), apiKeyPrefix) {
			return ""
		}
		key = strings.TrimSpace(token)
	}
	sum := sha256.Sum256([]byte(key))
	return "key_" + hex.EncodeToString(sum[:16])
}
