package starter_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/starter"
)

func TestLoadOpenAPI(t *testing.T) {
	doc, err := starter.LoadOpenAPI(context.Background(), []byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"))
	if err != nil || doc.Info.Title != "t" {
		t.Fatalf("load: %v, %v", doc, err)
	}
	if _, err := starter.LoadOpenAPI(context.Background(), []byte("openapi: [")); err == nil || !strings.Contains(err.Error(), "load openapi.yaml") {
		t.Errorf("a document that is no YAML: %v", err)
	}
	if _, err := starter.LoadOpenAPI(context.Background(), []byte("openapi: 3.0.3\npaths: {}\n")); err == nil || !strings.Contains(err.Error(), "validate openapi.yaml") {
		t.Errorf("a document without info: %v", err)
	}
}

func TestOpenAPIJSON(t *testing.T) {
	spec, err := starter.OpenAPIJSON(context.Background(), []byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"))
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct{ Title string }
	}
	if err != nil || json.Unmarshal(spec, &doc) != nil || doc.OpenAPI != "3.0.3" || doc.Info.Title != "t" {
		t.Fatalf("spec %s, %v", spec, err)
	}
	if _, err := starter.OpenAPIJSON(context.Background(), []byte("openapi: 3.0.3\npaths: {}\n")); err == nil {
		t.Error("an invalid document was encoded")
	}
}
