package sales_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// validateEvents checks every event the service has published against the
// JSON Schema of its type in api/events.
func validateEvents(t *testing.T, e *env) {
	t.Helper()
	c := jsonschema.NewCompiler()
	for _, p := range e.published() {
		path, _ := filepath.Abs(filepath.Join("api", "events", p.typ+".json"))
		if _, err := os.Stat(path); err != nil {
			t.Errorf("event type %s has no schema: %v", p.typ, err)
			continue
		}
		sch, err := c.Compile(path)
		if err != nil {
			t.Fatalf("compile %s: %v", path, err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(p.data))
		if err != nil {
			t.Fatalf("%s payload: %v", p.typ, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s payload does not match its schema: %v\n%s", p.typ, err, p.data)
		}
	}
}

// readAll reads a response's body; a failed read is an empty body.
func readAll(resp *http.Response) []byte {
	b, _ := io.ReadAll(resp.Body)
	return b
}

// jsonBody is v as a request body.
func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
