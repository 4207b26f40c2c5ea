// Package svcclient is how a service calls another with its caller's own
// authority, and reads the gateway's team directory.
//
// A service never holds a token of its own. While it serves a request, the
// request's internal token (auth.TokenFrom, kept by auth.Middleware) is
// exchanged at the gateway (POST /internal/v1/token-exchange) for a token
// of the same principal addressed to the service it calls, which verifies
// it as it verifies the gateway's own; the gateway allows only the pairs it
// lists (sales → contacts) and audits every exchange. Exchanged tokens are
// kept per principal and audience for half their lifetime. The team
// directory (GET /internal/v1/teams/{id}) takes the request's token as it
// is.
//
//	c, err := svcclient.New(env.Config.GatewayURL, nil)
//	contacts, err := c.Service(registry.Contacts, env.Config.ServiceURLs[registry.Contacts])
//	res, err := contacts.Call(ctx, svcclient.Request{Method: "POST", Path: "/v1/contacts",
//		Body: in, IdempotencyKey: key}, &out)
//	team, err := c.Team(ctx, teamID)
//
// Only within a request: outside one (a job, a consumer) there is no caller
// whose authority to carry, and every call is ErrNoCaller.
package svcclient
