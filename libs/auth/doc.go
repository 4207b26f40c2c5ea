// Package auth is the verifying side of Rapport's authentication.
//
// The gateway authenticates users and integrators, then forwards each request
// with a short-lived internal JWT signed by its key (see Signer). A service
// builds one Verifier against the gateway's JWKS and wraps its handler in
// Middleware, which turns the token into a Principal in the request context;
// endpoints check permissions with Require or RequirePermission and read the
// record scope with Principal.ScopeFor. Services never trust bare identity
// headers.
package auth
