package specmerge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

// repositoryDocuments reads the gateway's api/openapi.yaml and every
// service's in this repository, as the gateway would merge them.
func repositoryDocuments(t *testing.T) (gateway []byte, services map[string][]byte) {
	t.Helper()
	gateway, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../../*/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	services = map[string][]byte{}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(filepath.Dir(f)))
		if name == "gateway" {
			continue
		}
		if services[name], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	if len(services) == 0 {
		t.Fatal("no service documents found")
	}
	return gateway, services
}

// operationIDsOf returns the operationId of each "METHOD path" of doc.
func operationIDsOf(t *testing.T, name string, data []byte) map[string]string {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ids[method+" "+path] = op.OperationID
		}
	}
	return ids
}

// TestRepositoryDocumentsMerge checks what a linter and an SDK generator
// need of the document integrators read: the gateway's security schemes
// applied to every operation, a unique operationId on each (the one its
// own document gives it: Merge never has to rename one), and the client
// errors each can answer, as problem+json.
func TestRepositoryDocumentsMerge(t *testing.T) {
	gateway, services := repositoryDocuments(t)
	b, err := Merge(gateway, services)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}

	if doc.Info.Title != "Rapport API" || len(doc.Info.Description) < 200 {
		t.Errorf("info: title %q and a %d-character description, want the platform's", doc.Info.Title, len(doc.Info.Description))
	}
	schemes := doc.Components.SecuritySchemes
	if s := schemes["bearer"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Errorf("security scheme bearer = %+v, want HTTP bearer", s)
	}
	if s := schemes["apiKey"]; s == nil || s.Value.Type != "apiKey" || s.Value.In != "header" || s.Value.Name != "X-API-Key" {
		t.Errorf("security scheme apiKey = %+v, want the X-API-Key header", s)
	}
	global := map[string]bool{}
	for _, req := range doc.Security {
		for n := range req {
			global[n] = true
		}
	}
	if !global["bearer"] || !global["apiKey"] {
		t.Errorf("top-level security names %v, want bearer and apiKey", global)
	}

	source := operationIDsOf(t, "gateway", gateway)
	for name, data := range services {
		for k, id := range operationIDsOf(t, name, data) {
			// the portal's and the marketing pages' paths are listed at their
			// public address (publicPortal, publicMarketing)
			method, path, _ := strings.Cut(k, " ")
			if rest, ok := strings.CutPrefix(path, proxy.PortalUpstreamPrefix); ok && (rest == "" || rest[0] == '/') {
				k = method + " " + PortalPublicPrefix + rest
			}
			if rest, ok := strings.CutPrefix(path, proxy.MarketingUpstreamPrefix); ok && (rest == "" || rest[0] == '/') {
				k = method + " " + MarketingPublicPrefix + rest
			}
			source[k] = id
		}
	}
	seen := map[string]string{}
	count := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			count++
			at := method + " " + path
			switch {
			case op.OperationID == "":
				t.Errorf("%s: no operationId", at)
			case seen[op.OperationID] != "":
				t.Errorf("%s: operationId %s is also %s's", at, op.OperationID, seen[op.OperationID])
			case op.OperationID != source[at]:
				t.Errorf("%s: operationId %s in the merged document, %s in its own: two documents use %s", at, op.OperationID, source[at], source[at])
			}
			seen[op.OperationID] = at
			checkClientErrors(t, at, item, op)
		}
	}
	if count < 80 {
		t.Errorf("%d operations merged; want the gateway's and every service's", count)
	}
}

// checkClientErrors checks that op declares at least one 4xx response,
// unless it can meet no client error (it needs no credentials and takes no
// input: the JWKS, the document itself), and that each 4xx is problem+json.
func checkClientErrors(t *testing.T, at string, item *openapi3.PathItem, op *openapi3.Operation) {
	t.Helper()
	public := op.Security != nil && len(*op.Security) == 0
	input := len(item.Parameters)+len(op.Parameters) > 0 || op.RequestBody != nil
	n := 0
	for code, r := range op.Responses.Map() {
		if !strings.HasPrefix(code, "4") {
			continue
		}
		n++
		if r.Value.Content.Get("application/problem+json") == nil {
			t.Errorf("%s: response %s is not application/problem+json", at, code)
		}
	}
	if n == 0 && (!public || input) {
		t.Errorf("%s: no 4xx response", at)
	}
}
