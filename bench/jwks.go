package main

import (
	"net/http"
	"net/http/httptest"

	"github.com/rapport-crm/rapport/libs/auth"
)

// serveJWKS returns a new signer of internal tokens and a server of its
// JWKS, which a service started alone (without the gateway) verifies
// its tokens against (AUTH_JWKS_URL); the caller closes the server.
func serveJWKS() (*auth.Signer, *httptest.Server, error) {
	signer, err := auth.NewSigner()
	if err != nil {
		return nil, nil, err
	}
	return signer, httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b, _ := signer.PublicJWKS()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b) //nolint:errcheck
	})), nil
}
