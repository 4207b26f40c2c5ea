// Package gatewayadmin is the typed client of the platform admin API the
// gateway serves (/admin/v1/tenants, services/gateway/README.md),
// authenticated with the platform token, and of the two public calls that
// finish a tenant's start: accepting its first administrator's invitation
// and signing in. The operator, the launcher (`make run`'s demo tenant) and
// the benchmarks use it.
//
// The wire types are declared here, as a library cannot import a service;
// services/gateway/identity's test runs this client against the real
// handlers and checks every field it sends or reads against the gateway's
// own types.
package gatewayadmin
