package contacts

import "testing"

func TestOpenAPIDocumentIsValid(t *testing.T) {
	if _, err := OpenAPI(t.Context()); err != nil {
		t.Fatal(err)
	}
}
