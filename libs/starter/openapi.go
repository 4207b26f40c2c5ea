package starter

import (
	"context"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// LoadOpenAPI loads and validates a service's OpenAPI document (its
// embedded api/openapi.yaml), for OpenAPIJSON and the tests' contract.
func LoadOpenAPI(ctx context.Context, yaml []byte) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(yaml)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("validate openapi.yaml: %w", err)
	}
	return doc, nil
}

// OpenAPIJSON loads and validates a service's OpenAPI document
// (LoadOpenAPI) and returns it as JSON, for API.OpenAPI.
func OpenAPIJSON(ctx context.Context, yaml []byte) ([]byte, error) {
	doc, err := LoadOpenAPI(ctx, yaml)
	if err != nil {
		return nil, err
	}
	spec, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode openapi.json: %w", err)
	}
	return spec, nil
}
