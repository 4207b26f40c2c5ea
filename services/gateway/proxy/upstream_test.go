package proxy

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// TestHandlerTakesChangedFieldsOffTheResponse: the fields a service names
// in its response reach whoever asked through WithUpstream, never the client.
func TestHandlerTakesChangedFieldsOffTheResponse(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(kitx.ChangedFieldsHeader, "emails,firstName")
		w.WriteHeader(http.StatusOK)
	})
	h, plain := newGateway(t, e, Config{Resolver: instances(up.addr())})
	var got Upstream
	asking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(WithUpstream(r.Context(), &got)))
	}))
	t.Cleanup(asking.Close)

	for _, srv := range []*httptest.Server{asking, plain} {
		resp := do(t, http.MethodPatch, srv.URL+"/v1/contacts/1", writer(), e, stringsReader("{}"), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", resp.StatusCode)
		}
		if v, ok := resp.Header[kitx.ChangedFieldsHeader]; ok {
			t.Errorf("the client received %s: %q", kitx.ChangedFieldsHeader, v)
		}
	}
	if want := []string{"emails", "firstName"}; !slices.Equal(got.ChangedFields, want) {
		t.Errorf("Upstream.ChangedFields = %v, want %v", got.ChangedFields, want)
	}
}
