package kitx_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// fuzzTarget has fields of the shapes service requests use.
type fuzzTarget struct {
	Name     string            `json:"name"`
	Age      int               `json:"age"`
	Score    *float64          `json:"score"`
	Active   bool              `json:"active"`
	Tags     []string          `json:"tags"`
	Custom   map[string]any    `json:"custom"`
	Labels   map[string]string `json:"labels"`
	At       time.Time         `json:"at"`
	Address  *address          `json:"address"`
	Contacts []address         `json:"contacts"`
}

// FuzzDecode checks that Decode never panics and fails only with an Invalid
// or TooLarge *errs.Error.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ada","age":36,"score":1.5,"active":true,"tags":["a"],"custom":{"x":[1,{"y":null}]},"labels":{"a":"b"},"at":"2026-01-02T03:04:05Z","address":{"city":"Oslo"},"contacts":[{"city":"x"}]}`,
		`{"name":1}`, `{"foo":1}`, `{"at":"yesterday"}`, `{"age":1e400}`, `[]`, `null`, ``, `{`, `{}{}`, `{} x`,
		`{"contacts":[{"town":"x"}]}`, "\xff\xfe", `{"name":"\ud800"}`, `{"name":"a\u0000"}`, `{"name":"a","name":"b"}`, `{"custom":{"k\u0001":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var dst fuzzTarget
		err := kitx.Decode(r, &dst, 512)
		if err == nil {
			if strings.ContainsRune(dst.Name, 0) || !utf8.ValidString(dst.Name) {
				t.Fatalf("Decode(%q) accepted name %q, which PostgreSQL text cannot hold", body, dst.Name)
			}
			return
		}
		e, ok := errs.As(err)
		if !ok {
			t.Fatalf("Decode(%q) error %v (%T), want an *errs.Error", body, err, err)
		}
		if e.Kind != errs.Invalid && e.Kind != errs.TooLarge {
			t.Fatalf("Decode(%q) kind %v, want invalid or too-large", body, e.Kind)
		}
	})
}
