package proxy

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestDefaultRoutesCoverServiceSpecs checks that every public path of every
// service's api/openapi.yaml in this repository is routed to that service,
// so no route a service serves is unreachable through the gateway.
func TestDefaultRoutesCoverServiceSpecs(t *testing.T) {
	table, err := NewTable(DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	specs, err := filepath.Glob("../../*/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range specs {
		service := filepath.Base(filepath.Dir(filepath.Dir(file)))
		if service == "gateway" {
			continue
		}
		doc, err := openapi3.NewLoader().LoadFromFile(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for path := range doc.Paths.Map() {
			if !strings.HasPrefix(path, "/v1/") {
				continue // the service's own documents and probes
			}
			checked++
			concrete := strings.NewReplacer("{", "", "}", "").Replace(path)
			got, ok := table.Match(concrete)
			if !ok || got.Service != service {
				t.Errorf("%s %s: routed to %q (found %v), want %q", file, path, got.Service, ok, service)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no service paths found")
	}
}
