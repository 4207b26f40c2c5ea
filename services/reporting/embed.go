package reporting

import (
	"context"
	_ "embed"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/rapport-crm/rapport/libs/starter"
)

//go:embed api/openapi.yaml
var openapiYAML []byte

// OpenAPI returns the embedded api/openapi.yaml, loaded and validated.
func OpenAPI(ctx context.Context) (*openapi3.T, error) { return starter.LoadOpenAPI(ctx, openapiYAML) }
