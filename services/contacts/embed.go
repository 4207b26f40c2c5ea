package contacts

import (
	"context"
	"embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

//go:embed api/openapi.yaml
var openapiYAML []byte

// Migrations is the service's schema, for pg.Migrate.
func Migrations() pg.Source { return pg.EmbeddedSource("contacts", migrationFiles, "migrations") }

// OpenAPI loads and validates the embedded api/openapi.yaml.
func OpenAPI(ctx context.Context) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("validate openapi.yaml: %w", err)
	}
	return doc, nil
}
