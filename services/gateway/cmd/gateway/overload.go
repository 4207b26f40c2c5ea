package main

import "github.com/rapport-crm/rapport/libs/starter"

// defaultGatewayMaxInFlight is the gateway's in-flight limit unless
// GATEWAY_MAX_IN_FLIGHT says otherwise: it holds the requests of every
// service's replicas, each bounded by its own MAX_IN_FLIGHT, and spends
// little on each but their buffers.
const defaultGatewayMaxInFlight = 1000

// overloadConfig is the gateway's overload bounds, as a service's.
type overloadConfig = starter.Overload

// loadOverloadConfig reads the gateway's overload bounds:
// GATEWAY_MAX_IN_FLIGHT (default 1000, 0 for no bound), and
// GATEWAY_DB_ACQUIRE_TIMEOUT, GATEWAY_DB_LOCK_TIMEOUT and
// GATEWAY_DB_STATEMENT_TIMEOUT for its own database work within a request,
// with a service's defaults (libs/starter). Beyond them a request is answered
// 503 with Retry-After (starter.Overload.Guard).
func loadOverloadConfig(getenv func(string) string, c *config) error {
	def := starter.DefaultOverload()
	def.MaxInFlight = defaultGatewayMaxInFlight
	o, err := starter.ParseOverload(getenv, "GATEWAY_", def)
	c.Overload = o
	return err
}
