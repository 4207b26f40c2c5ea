package websec

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSweepHeaders(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<p>hi</p>"))
		case "/own-csp":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Security-Policy", "default-src 'none'")
			w.WriteHeader(http.StatusOK)
		case "/banner":
			w.Header().Set("Server", "nginx/1.2")
			w.Header().Set("X-Powered-By", "PHP")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
		}
		// "/empty" writes nothing at all.
	})
	for _, tt := range []struct {
		name, path string
		publicTLS  bool
		overTLS    bool
		csp        string
		hsts       bool
	}{
		{"html page gets the default CSP", "/page", false, false, PageCSP, false},
		{"a page's own CSP is kept", "/own-csp", false, false, "default-src 'none'", false},
		{"json has no CSP, banner removed", "/banner", false, false, "", false},
		{"an empty answer", "/empty", false, false, "", false},
		{"https public URL sends HSTS", "/banner", true, false, "", true},
		{"a request over TLS gets HSTS", "/page", false, true, PageCSP, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.Header.Set("X-Forwarded-Proto", "https") // never trusted
			if tt.overTLS {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			Headers(page, tt.publicTLS).ServeHTTP(rec, req)
			h := rec.Result().Header
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := h.Get("Content-Security-Policy"); got != tt.csp {
				t.Errorf("CSP = %q, want %q", got, tt.csp)
			}
			if got := h.Get("Strict-Transport-Security"); (got == HSTS) != tt.hsts || (got != "" && got != HSTS) {
				t.Errorf("HSTS = %q, want sent %v", got, tt.hsts)
			}
			for _, name := range bannerHeaders {
				if v := h.Get(name); v != "" {
					t.Errorf("%s = %q, want none", name, v)
				}
			}
		})
	}
}

func TestSweepCORS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	origins, err := ParseOrigins(" https://crm.example.com, http://localhost:5173 ")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		origins []string
		origin  string
		allowed bool
	}{
		{"unconfigured refuses everyone", nil, "https://crm.example.com", false},
		{"a configured origin", origins, "https://crm.example.com", true},
		{"a second configured origin", origins, "http://localhost:5173", true},
		{"another origin", origins, "https://evil.example", false},
		{"a lookalike suffix", origins, "https://crm.example.com.evil.example", false},
		{"the null origin", origins, "null", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodOptions, http.MethodGet} {
				req := httptest.NewRequest(method, "/v1/contacts", nil)
				req.Header.Set("Origin", tt.origin)
				if method == http.MethodOptions {
					req.Header.Set("Access-Control-Request-Method", http.MethodPost)
					req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
				}
				rec := httptest.NewRecorder()
				CORS(ok, tt.origins).ServeHTTP(rec, req)
				got := rec.Result().Header.Get("Access-Control-Allow-Origin")
				if tt.allowed && got != tt.origin || !tt.allowed && got != "" {
					t.Errorf("%s: Access-Control-Allow-Origin = %q, want allowed %v", method, got, tt.allowed)
				}
				if c := rec.Result().Header.Get("Access-Control-Allow-Credentials"); c != "" {
					t.Errorf("%s: Access-Control-Allow-Credentials = %q, want none", method, c)
				}
			}
		})
	}
}

func TestSweepParseOrigins(t *testing.T) {
	for _, bad := range []string{"*", "https://*.example.com", "crm.example.com", "https://crm.example.com/app", "ftp://x.example", "https://u:p@x.example"} {
		if _, err := ParseOrigins(bad); err == nil {
			t.Errorf("ParseOrigins(%q) accepted it", bad)
		}
	}
	got, err := ParseOrigins("HTTPS://CRM.example.com/,")
	if err != nil || len(got) != 1 || got[0] != "https://crm.example.com" {
		t.Errorf("ParseOrigins = %v, %v", got, err)
	}
}
