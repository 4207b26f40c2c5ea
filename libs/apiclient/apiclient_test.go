package apiclient_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rapport-crm/rapport/libs/apiclient"
)

// TestAPIClientCurrent regenerates the client from a fresh merge of every
// service's OpenAPI document (scripts/apiclient.sh, ~10 s once the
// generator is in the module cache) and compares it with the committed file.
func TestAPIClientCurrent(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "client.gen.go")
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "apiclient.sh"), fresh)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/apiclient.sh: %v\n%s", err, out)
	}
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("client.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("libs/apiclient/client.gen.go is not the generation of the current OpenAPI documents: run scripts/apiclient.sh and commit the result")
	}
}

// TestAPIClientCredentials checks the Authorization and User-Agent headers
// New adds, for a JWT-like token and for an API key.
func TestAPIClientCredentials(t *testing.T) {
	var auth, ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ua = r.Header.Get("Authorization"), r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"0190a0c2-7f3e-7b4c-9d2e-1a2b3c4d5e6f","firstName":"Ada"}`))
	}))
	defer srv.Close()
	ctx := context.Background()

	c, err := apiclient.New(srv.URL+"/", apiclient.StaticToken("rpk_abcdefgh_secret"))
	if err != nil {
		t.Fatal(err)
	}
	rsp, err := c.GetContactWithResponse(ctx, "c1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := apiclient.Check(rsp.HTTPResponse, rsp.Body); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer rpk_abcdefgh_secret" || ua != apiclient.DefaultUserAgent {
		t.Fatalf("Authorization %q, User-Agent %q", auth, ua)
	}

	calls := 0
	tok := apiclient.TokenFunc(func(context.Context) (string, error) { calls++; return "eyJ.jwt", nil })
	c, err = apiclient.New(srv.URL, tok, apiclient.WithUserAgent("crmctl/test"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetContactWithResponse(ctx, "c1", nil); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer eyJ.jwt" || ua != "crmctl/test" || calls != 1 {
		t.Fatalf("Authorization %q, User-Agent %q, token calls %d", auth, ua, calls)
	}

	c, err = apiclient.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetContactWithResponse(ctx, "c1", nil); err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		t.Fatalf("no token source sent Authorization %q", auth)
	}

	failing := apiclient.TokenFunc(func(context.Context) (string, error) { return "", errors.New("signed out") })
	c, err = apiclient.New(srv.URL, failing)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetContactWithResponse(ctx, "c1", nil); err == nil {
		t.Fatal("a failing token source did not fail the request")
	}
}

// TestAPIClientProblem checks that problem+json and plain error bodies become
// a *ProblemError carrying title, detail and field errors.
func TestAPIClientProblem(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/contacts/bad":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"type":"https://rapport.dev/problems/validation-failed","title":"Bad Request",` +
				`"status":400,"detail":"the contact is invalid","requestId":"r1",` +
				`"errors":[{"field":"emails/0/address","reason":"not an email address"}]}`))
		case "/v1/contacts/busy":
			w.Header().Set("Retry-After", "7")
			w.Header().Set("X-Request-Id", "r2")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			w.WriteHeader(http.StatusNotModified)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	c, err := apiclient.New(srv.URL, apiclient.StaticToken("t"))
	if err != nil {
		t.Fatal(err)
	}

	rsp, err := c.GetContactWithResponse(ctx, "bad", nil)
	if err != nil {
		t.Fatal(err)
	}
	var p *apiclient.ProblemError
	if err := apiclient.Check(rsp.HTTPResponse, rsp.Body); !errors.As(err, &p) {
		t.Fatalf("Check = %v, want a *ProblemError", err)
	}
	if reason, ok := p.Field("emails/0/address"); p.Status != 400 || p.Title != "Bad Request" ||
		p.Detail != "the contact is invalid" || p.RequestID != "r1" || !ok || reason != "not an email address" {
		t.Fatalf("problem %+v", p)
	}
	if want := "400 Bad Request: the contact is invalid (emails/0/address: not an email address)"; p.Error() != want {
		t.Fatalf("Error() = %q, want %q", p.Error(), want)
	}

	rsp, err = c.GetContactWithResponse(ctx, "busy", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := apiclient.Check(rsp.HTTPResponse, rsp.Body); !errors.As(err, &p) ||
		p.Status != 429 || p.Title != "Too Many Requests" || p.Detail != "slow down" || p.RetryAfter != "7" || p.RequestID != "r2" {
		t.Fatalf("Check = %#v", err)
	}

	rsp, err = c.GetContactWithResponse(ctx, "same", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := apiclient.Check(rsp.HTTPResponse, rsp.Body); err != nil || rsp.StatusCode() != http.StatusNotModified {
		t.Fatalf("304: Check = %v, status %d", err, rsp.StatusCode())
	}
}
