package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
)

// run runs crmctl with args and returns its exit status, stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := Execute(args, strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

func TestCrmctlUsageErrorsExit2(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "crmctl.json")
	for _, args := range [][]string{
		{"--bogus"},
		{"contacts", "list", "--limit", "ten"},
		{"contacts", "get"},
		{"contacts", "frobnicate"},
		{"contacts", "list", "-o", "xml"},
		{"contacts", "create"},
		{"contacts", "create", "--set", "noequals"},
		{"contacts", "list", "--filter", "{not json"},
		{"tenants", "create", "--slug", "x"},
		{"completion", "tcsh"},
		{"events", "bogus"},
		{"events", "tail", "-o", "yaml"},
		{"import", "contacts"},
		{"login", "--gateway", "http://127.0.0.1:1", "--tenant", "acme"},
	} {
		code, _, stderr := run(t, "", append(args, "--config", cfg)...)
		if code != ExitUsage || !strings.HasPrefix(stderr, "error: ") {
			t.Errorf("crmctl %s: exit %d, stderr %q; want 2 and an error line", strings.Join(args, " "), code, stderr)
		}
	}
}

func TestCrmctlNotLoggedInExit1(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "crmctl.json")
	code, _, stderr := run(t, "", "contacts", "get", "x", "--config", cfg)
	if code != ExitError || !strings.Contains(stderr, "not logged in") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// gateway is a test server: POST /v1/auth/refresh answers new tokens when
// refreshOK; GET /v1/contacts/1 needs the token "fresh" and else answers
// 401; POST /v1/contacts answers a problem.
func gateway(t *testing.T, refreshOK bool, refreshes *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /v1/auth/refresh":
			refreshes.Add(1)
			var body struct{ RefreshToken string }
			_ = json.NewDecoder(r.Body).Decode(&body)
			if !refreshOK || body.RefreshToken != "r1" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"accessToken": "fresh", "refreshToken": "r2", "expiresIn": 900})
		case "GET /v1/contacts/1":
			if r.Header.Get("Authorization") != "Bearer fresh" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(`{"id":"1","displayName":"Ada Lovelace","version":2}`))
		case "POST /v1/contacts":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"title":"The request is invalid","status":400,"detail":"1 field is invalid","errors":[{"field":"emails/0/address","reason":"an email address"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// signedIn writes a profile for srv with the access token and its expiry.
func signedIn(t *testing.T, srv *httptest.Server, access string, expiry time.Time) string {
	path := filepath.Join(t.TempDir(), "crmctl.json")
	f, _ := config.Load(path)
	f.Put(config.Profile{Gateway: srv.URL, Tenant: "acme", AccessToken: access, RefreshToken: "r1", Expiry: expiry})
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCrmctlRefreshesAnExpiredToken(t *testing.T) {
	var refreshes atomic.Int32
	srv := gateway(t, true, &refreshes)
	for name, expiry := range map[string]time.Time{"known expiry": time.Now().Add(-time.Minute), "401": time.Now().Add(time.Hour)} {
		cfg := signedIn(t, srv, "stale", expiry)
		code, out, stderr := run(t, "", "contacts", "get", "1", "-o", "json", "--config", cfg)
		if code != 0 || !strings.Contains(out, `"displayName": "Ada Lovelace"`) {
			t.Fatalf("%s: exit %d, out %q, stderr %q", name, code, out, stderr)
		}
		f, err := config.Load(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := f.Lookup("", ""); p.AccessToken != "fresh" || p.RefreshToken != "r2" {
			t.Errorf("%s: saved profile %+v, want the refreshed tokens", name, p)
		}
	}
	if refreshes.Load() != 2 {
		t.Errorf("%d refreshes, want 2", refreshes.Load())
	}
}

func TestCrmctlExpiredLoginExit1(t *testing.T) {
	var refreshes atomic.Int32
	srv := gateway(t, false, &refreshes)
	cfg := signedIn(t, srv, "garbled", time.Now().Add(time.Hour))
	code, _, stderr := run(t, "", "contacts", "get", "1", "--config", cfg)
	if code != ExitError || stderr != "error: your login has expired; run crmctl login\n" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestCrmctlProblemMessage(t *testing.T) {
	var refreshes atomic.Int32
	srv := gateway(t, true, &refreshes)
	cfg := signedIn(t, srv, "fresh", time.Now().Add(time.Hour))
	code, _, stderr := run(t, "", "contacts", "create", "--set", "emails=[{\"address\":\"x\"}]", "--config", cfg)
	want := "error: The request is invalid: 1 field is invalid (field: emails/0/address)\n"
	if code != ExitError || stderr != want {
		t.Fatalf("exit %d, stderr %q; want 1, %q", code, stderr, want)
	}
}
