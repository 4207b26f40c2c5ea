package resource_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/resource"
)

type pipeline struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// fields returns the fields an Invalid error names.
func fields(t *testing.T, err error) []string {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.Invalid {
		t.Fatalf("error %v, want an invalid request", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestDecodeBody(t *testing.T) {
	decode := resource.DecodeBody[pipeline]([]string{"id", "version"})
	body := func(s string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/pipelines", strings.NewReader(s))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	v, err := decode(context.Background(), body(`{"name":"Sales"}`))
	if err != nil || v.(pipeline) != (pipeline{Name: "Sales"}) {
		t.Fatalf("decode: %#v, %v", v, err)
	}
	_, err = decode(context.Background(), body(`{"version":3,"id":"x","name":"Sales"}`))
	if got := fields(t, err); !slices.Equal(got, []string{"id", "version"}) {
		t.Errorf("read-only fields: %v, want id and version", got)
	}
	_, err = decode(context.Background(), body(`{"name":"Sales","colour":"red"}`))
	if got := fields(t, err); !slices.Equal(got, []string{"colour"}) {
		t.Errorf("unknown field: %v, want colour", got)
	}
}

func TestDecodeID(t *testing.T) {
	r := httptest.NewRequest(http.MethodDelete, "/v1/pipelines/p1", nil)
	r.SetPathValue("id", "p1")
	r.Header.Set("If-Match", `"7"`)
	v, err := resource.DecodeID(context.Background(), r)
	if err != nil || v.(resource.IDRequest) != (resource.IDRequest{ID: "p1", IfMatch: 7}) {
		t.Fatalf("decode: %#v, %v", v, err)
	}
	r.Header.Set("If-Match", `W/"7"`)
	if _, err := resource.DecodeID(context.Background(), r); err == nil {
		t.Error("a weak If-Match was taken")
	}
}

func TestDecodePatch(t *testing.T) {
	patch := func(contentType string) *http.Request {
		r := httptest.NewRequest(http.MethodPatch, "/v1/pipelines/p1", strings.NewReader(`{"name":"New"}`))
		r.SetPathValue("id", "p1")
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("If-Match", `"2"`)
		return r
	}
	v, err := resource.DecodePatch(context.Background(), patch(mergepatch.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	req := v.(resource.PatchRequest)
	if req.ID != "p1" || req.IfMatch != 2 || string(req.Patch) != `{"name":"New"}` || !json.Valid(req.Patch) {
		t.Errorf("decode: %+v", req)
	}
	if _, err := resource.DecodePatch(context.Background(), patch("application/json")); errs.KindOf(err) != errs.UnsupportedMediaType {
		t.Errorf("a JSON body: %v, want unsupported media type", err)
	}
}
