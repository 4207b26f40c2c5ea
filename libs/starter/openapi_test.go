package starter_test

import (
	"context"
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
