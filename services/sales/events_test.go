package sales_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// validateEvents checks every event the service has published against the
// JSON Schema of its type in api/events.
func validateEvents(t *testing.T, e *env) {
	t.Helper()
	contracttest.ValidateEvents(t, "api/events", e.published())
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
