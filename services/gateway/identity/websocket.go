package identity

import (
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
)

// BearerProtocolPrefix starts the Sec-WebSocket-Protocol value that carries
// a user access token on a WebSocket upgrade: a browser cannot set headers
// on a WebSocket, so it offers ["rapport.chat.v1", "rapport.bearer." +
// accessToken] instead. The edge proxy removes the value before forwarding
// (the token never reaches a service); the service echoes the other.
const BearerProtocolPrefix = "rapport.bearer."

// ErrProtocolCredentials refuses a WebSocket upgrade whose
// Sec-WebSocket-Protocol carries no usable access token: several of them,
// or an API key (which a server-side client sends in a header instead).
var ErrProtocolCredentials = errs.New(errs.Unauthenticated, "invalid-websocket-credentials",
	"Sec-WebSocket-Protocol may carry one user access token ("+BearerProtocolPrefix+"<token>); an API key goes in the Authorization or X-API-Key header")

// protocolToken returns the access token a WebSocket upgrade request r
// offers as the subprotocol BearerProtocolPrefix+<token> (the header may
// hold several comma-separated values, on several lines). found is false
// for a request that is no WebSocket upgrade or offers no such value; err
// is ErrProtocolCredentials for more than one, or for an API key.
func protocolToken(r *http.Request) (token string, found bool, err error) {
	if !isWebSocketUpgrade(r.Header) {
		return "", false, nil
	}
	for _, line := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, v := range strings.Split(line, ",") {
			t, ok := strings.CutPrefix(strings.TrimSpace(v), BearerProtocolPrefix)
			if !ok || t == "" {
				continue
			}
			if found || strings.HasPrefix(t, APIKeyPrefix) {
				return "", true, ErrProtocolCredentials
			}
			token, found = t, true
		}
	}
	return token, found, nil
}

// isWebSocketUpgrade reports whether h asks to switch to the WebSocket
// protocol: Connection holds "upgrade" and Upgrade "websocket", in any case.
func isWebSocketUpgrade(h http.Header) bool {
	return headerHasToken(h, "Connection", "upgrade") && headerHasToken(h, "Upgrade", "websocket")
}

// headerHasToken reports whether the comma-separated values of header name
// hold token, in any case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, line := range h.Values(name) {
		for _, v := range strings.Split(line, ",") {
			if strings.EqualFold(strings.TrimSpace(v), token) {
				return true
			}
		}
	}
	return false
}
