package resource_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
)

type thing struct {
	Name string `json:"name"`
}

func TestEncodeWritesStatusETagLocationAndChangedFields(t *testing.T) {
	created, err := resource.Created(thing{"a"}, 1, "/v1/things/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	updated, _ := resource.Updated(thing{"b"}, 2, []string{"name"}, nil)
	ok, _ := resource.OK(thing{"c"}, 0, nil)
	for _, tt := range []struct {
		name                    string
		resp                    any
		status                  int
		etag, location, changed string
		body                    string
	}{
		{"created", created, http.StatusCreated, `"1"`, "/v1/things/1", "", `{"name":"a"}`},
		{"updated", updated, http.StatusOK, `"2"`, "", "name", `{"name":"b"}`},
		{"ok without a version", ok, http.StatusOK, "", "", "", `{"name":"c"}`},
		{"no content", resource.NoContent{}, http.StatusNoContent, "", "", "", ""},
		{"list", resource.Response{Body: resource.List[thing]{Items: []thing{{"d"}}}}, http.StatusOK, "", "", "", `{"items":[{"name":"d"}]}`},
	} {
		w := httptest.NewRecorder()
		if err := resource.Encode(context.Background(), w, tt.resp); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if w.Code != tt.status || w.Header().Get("ETag") != tt.etag || w.Header().Get("Location") != tt.location ||
			w.Header().Get(kitx.ChangedFieldsHeader) != tt.changed {
			t.Errorf("%s: status %d, ETag %q, Location %q, changed %q; want %d, %q, %q, %q", tt.name, w.Code,
				w.Header().Get("ETag"), w.Header().Get("Location"), w.Header().Get(kitx.ChangedFieldsHeader),
				tt.status, tt.etag, tt.location, tt.changed)
		}
		if got := trimNewline(w.Body.String()); got != tt.body {
			t.Errorf("%s: body %s, want %s", tt.name, got, tt.body)
		}
	}
}

func TestWrappersReturnTheError(t *testing.T) {
	bad := errors.New("bad")
	if _, err := resource.OK(nil, 1, bad); err != bad {
		t.Errorf("OK: %v", err)
	}
	if _, err := resource.Updated(nil, 1, nil, bad); err != bad {
		t.Errorf("Updated: %v", err)
	}
	if _, err := resource.Created(nil, 1, "/x", bad); err != bad {
		t.Errorf("Created: %v", err)
	}
}

func TestRoutesKeepTheirOwnEncoder(t *testing.T) {
	own := func(context.Context, http.ResponseWriter, any) error { return nil }
	routes := resource.Routes(starter.Route{Name: "a"}, starter.Route{Name: "b", Encode: own})
	if routes[0].Encode == nil || routes[1].Encode == nil {
		t.Fatal("a route has no encoder")
	}
	w := httptest.NewRecorder()
	if err := routes[1].Encode(context.Background(), w, resource.NoContent{}); err != nil || w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("route b's encoder was replaced: status %d", w.Code)
	}
	w = httptest.NewRecorder()
	if err := routes[0].Encode(context.Background(), w, resource.NoContent{}); err != nil || w.Code != http.StatusNoContent {
		t.Errorf("route a: status %d (%v), want Encode's 204", w.Code, err)
	}
}

// trimNewline drops the newline a JSON encoder ends with.
func trimNewline(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\n' {
		return s[:n-1]
	}
	return s
}
