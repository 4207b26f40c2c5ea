// Package api holds the gateway's HTTP contract.
package api

import _ "embed"

// OpenAPI is api/openapi.yaml: the gateway's own routes, merged with every
// service's at GET /openapi.json.
//
//go:embed openapi.yaml
var OpenAPI []byte
