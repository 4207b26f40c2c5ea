// Package gateway is the operator's client of the gateway's admin API
// (/admin/v1/tenants, services/gateway/README.md), authenticated with the
// platform token.
package gateway
