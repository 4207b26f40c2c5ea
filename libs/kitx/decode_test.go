package kitx_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

func TestDecodeThroughServer(t *testing.T) {
	srv, _ := newTestServer(t)
	huge := `{"name":"` + strings.Repeat("a", int(kitx.DefaultBodyLimit)) + `"}`
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantType    string // slug; empty for a success
		wantDetail  string // a substring of the detail
		wantFields  []string
	}{
		{"valid", "application/json", `{"name":"Ada","email":"ada@example.com","age":36}`, 201, "", "", nil},
		{"valid with charset", "application/json; charset=utf-8", `{"name":"Ada","email":"ada@example.com"}`, 201, "", "", nil},
		{"merge patch type", "application/merge-patch+json", `{"name":"Ada","email":"ada@example.com"}`, 201, "", "", nil},
		{"unknown field", "application/json", `{"name":"Ada","foo":1}`, 400, "unknown-field", `unknown field "foo"`, []string{"foo"}},
		{"unknown nested field", "application/json", `{"name":"Ada","places":[{"city":"x"},{"town":"y"}]}`, 400, "unknown-field", `unknown field "places/1/town"`, []string{"places/1/town"}},
		{"names match exactly", "application/json", `{"Name":"Ada"}`, 400, "unknown-field", `unknown field "Name"`, []string{"Name"}},
		{"malformed with offset", "application/json", `{"name": "Ada",, }`, 400, "malformed-json", "byte offset 15", nil},
		{"truncated", "application/json", `{"name": "Ada"`, 400, "malformed-json", "ends unexpectedly at byte offset 14", nil},
		{"truncated after a member", "application/json", `{"name":"x",`, 400, "malformed-json", "ends unexpectedly at byte offset 12", nil},
		{"wrong type", "application/json", `{"name":"Ada","age":"old"}`, 400, "wrong-type", `field "age" must be an integer, not a string`, []string{"age"}},
		{"array sent as a string", "application/json", `{"name":"Ada","places":"Oslo"}`, 400, "wrong-type", `field "places" must be an array, not a string`, []string{"places"}},
		{"fraction for an integer", "application/json", `{"name":"Ada","age":1.5}`, 400, "wrong-type", `field "age" must be an integer; 1.5 is not one`, []string{"age"}},
		{"wrong nested type", "application/json", `{"name":"Ada","address":{"city":7}}`, 400, "wrong-type", `"address/city" must be a string, not a number`, []string{"address/city"}},
		{"wrong type in an array", "application/json", `{"name":"Ada","places":[{"city":"a"},{"city":true}]}`, 400, "wrong-type", `"places/1/city" must be a string, not a boolean`, []string{"places/1/city"}},
		{"body not an object", "application/json", `[1,2]`, 400, "wrong-type", "the request body must be an object, not an array", nil},
		{"duplicate key", "application/json", `{"name":"Ada","email":"a@b","name":"Bob"}`, 400, "duplicate-field", `field "name" appears more than once`, []string{"name"}},
		{"duplicate nested key", "application/json", `{"name":"Ada","address":{"city":"a","city":"b"}}`, 400, "duplicate-field", `field "address/city" appears more than once`, []string{"address/city"}},
		{"NUL in a string", "application/json", `{"name":"Ada\u0000","email":"a@b"}`, 400, "invalid-text", `field "name" holds the control character U+0000`, []string{"name"}},
		{"control character nested", "application/json", `{"name":"Ada","places":[{"city":"\u001b[31m"}]}`, 400, "invalid-text", "U+001B", []string{"places/0/city"}},
		{"NUL in a member name", "application/json", `{"name":"Ada","a\u0000":1}`, 400, "invalid-text", "U+0000", []string{"a\u0000"}},
		{"invalid UTF-8", "application/json", "{\"name\":\"Ada\xff\"}", 400, "invalid-text", `field "name" is not valid UTF-8`, []string{"name"}},
		{"lone surrogate", "application/json", `{"name":"\ud800"}`, 400, "invalid-text", "not valid UTF-8", []string{"name"}},
		{"tab, newline and escapes are text", "application/json", `{"name":"A\tda\n\u00e9\r","email":"a@b"}`, 201, "", "", nil},
		{"trailing data", "application/json", `{"name":"Ada","email":"a@b"} {"x":1}`, 400, "trailing-data", "byte offset", nil},
		{"trailing garbage", "application/json", `{"name":"Ada","email":"a@b"}]`, 400, "trailing-data", "", nil},
		{"empty body", "application/json", ``, 400, "empty-body", "", nil},
		{"whitespace body", "application/json", "  \n", 400, "empty-body", "", nil},
		{"over the default limit", "application/json", huge, 413, "body-too-large", "1 MiB", nil},
		{"text/plain", "text/plain", `{"name":"Ada"}`, 415, "unsupported-media-type", "text/plain", nil},
		{"no content type", "", `{"name":"Ada"}`, 415, "unsupported-media-type", "no Content-Type", nil},
		{"validation lists every field", "application/json", `{"age":-1}`, 400, "validation-failed", "name, email, age", []string{"name", "email", "age"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, http.MethodPost, srv.URL+"/contacts", tt.contentType, strings.NewReader(tt.body), nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status got %d, want %d (body %s)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantType == "" {
				return
			}
			p := problemOf(t, resp, body)
			if got, want := p.Type, kitx.ProblemTypeBase+tt.wantType; got != want {
				t.Errorf("type got %q, want %q", got, want)
			}
			if !strings.Contains(p.Detail, tt.wantDetail) {
				t.Errorf("detail got %q, want it to contain %q", p.Detail, tt.wantDetail)
			}
			var gotFields []string
			for _, f := range p.Errors {
				gotFields = append(gotFields, f.Field)
				if f.Reason == "" {
					t.Errorf("field %q has no reason", f.Field)
				}
			}
			if !slices.Equal(gotFields, tt.wantFields) {
				t.Errorf("fields got %v, want %v", gotFields, tt.wantFields)
			}
		})
	}
}

// TestDecodeContentLengthUnknown checks that a body streamed without a
// Content-Length is still cut off at the limit.
func TestDecodeContentLengthUnknown(t *testing.T) {
	body := io.MultiReader(strings.NewReader(`{"name":"`), strings.NewReader(strings.Repeat("a", 100)), strings.NewReader(`"}`))
	r, err := http.NewRequest(http.MethodPost, "/", body)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	if r.ContentLength != 0 {
		t.Fatalf("ContentLength got %d, want 0 (unknown)", r.ContentLength)
	}
	var dst struct{ Name string }
	err = kitx.Decode(r, &dst, 64)
	if got, want := errs.KindOf(err), errs.TooLarge; got != want {
		t.Errorf("kind got %v, want %v (err %v)", got, want, err)
	}
}
