package kitx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

func TestEncodeJSONThroughServer(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		name       string
		method     string
		body       string
		wantStatus int
		wantETag   string
		wantBody   string
	}{
		{"created with etag", http.MethodPost, `{"name":"Ada","email":"a@b"}`, 201, `"1"`, `{"name":"Ada","version":1}` + "\n"},
		{"no content", http.MethodDelete, "", 204, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, srv.URL+"/contacts", "application/json", strings.NewReader(tt.body), nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("ETag"); got != tt.wantETag {
				t.Errorf("ETag got %q, want %q", got, tt.wantETag)
			}
			if got := string(body); got != tt.wantBody {
				t.Errorf("body got %q, want %q", got, tt.wantBody)
			}
		})
	}
}

func TestETags(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"strong", kitx.ETag(7), `"7"`},
		{"weak", kitx.WeakETag(7), `W/"7"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestParseIfMatch(t *testing.T) {
	tests := []struct {
		name        string
		header      string
		wantVersion int64
		wantOK      bool
		wantKind    errs.Kind // checked only when wantErr
		wantErr     bool
	}{
		{"absent", "", 0, false, 0, false},
		{"any", "*", 0, false, 0, false},
		{"strong", `"42"`, 42, true, 0, false},
		{"round trip", kitx.ETag(9), 9, true, 0, false},
		{"spaces", ` "3" `, 3, true, 0, false},
		{"weak", kitx.WeakETag(3), 0, false, errs.PreconditionFailed, true},
		{"unquoted", `3`, 0, false, errs.Invalid, true},
		{"not a number", `"abc"`, 0, false, errs.Invalid, true},
		{"negative", `"-1"`, 0, false, errs.Invalid, true},
		{"list", `"1", "2"`, 0, false, errs.Invalid, true},
		{"half quoted", `"3`, 0, false, errs.Invalid, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPatch, "/", nil)
			if tt.header != "" {
				r.Header.Set("If-Match", tt.header)
			}
			gotVersion, gotOK, err := kitx.ParseIfMatch(r)
			if gotVersion != tt.wantVersion || gotOK != tt.wantOK {
				t.Errorf("got (%d, %v), want (%d, %v)", gotVersion, gotOK, tt.wantVersion, tt.wantOK)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err got %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && errs.KindOf(err) != tt.wantKind {
				t.Errorf("kind got %v, want %v", errs.KindOf(err), tt.wantKind)
			}
		})
	}
}
