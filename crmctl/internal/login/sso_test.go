package login

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// TestCrmctlLoginSSO: login --sso --no-browser prints the gateway's SSO
// start with a loopback cli_redirect, a state and an S256 challenge; the
// redirect's code is exchanged with the verifier and the tokens saved.
func TestCrmctlLoginSSO(t *testing.T) {
	var challenge string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v1/auth/oidc/acme/start":
			q := r.URL.Query()
			challenge = q.Get("cli_challenge")
			to := q.Get("cli_redirect") + "?" + url.Values{"state": {q.Get("cli_state")}, "code": {"the-code"}}.Encode()
			http.Redirect(w, r, to, http.StatusSeeOther)
		case r.URL.Path == "/v1/auth/oidc/cli-token":
			var body struct{ Code, Verifier string }
			_ = json.NewDecoder(r.Body).Decode(&body)
			sum := sha256.Sum256([]byte(body.Verifier))
			if body.Code != "the-code" || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(`{"accessToken":"a","refreshToken":"r","expiresIn":900}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer gw.Close()

	cfg := filepath.Join(t.TempDir(), "crmctl.json")
	root := &cobra.Command{Use: "crmctl", SilenceErrors: true, SilenceUsage: true}
	session.Register(root)
	root.AddCommand(New())
	stderr := &lockedBuffer{wrote: make(chan struct{}, 16)}
	root.SetErr(stderr)
	root.SetArgs([]string{"login", "--sso", "--no-browser", "--gateway", gw.URL, "--tenant", "acme", "--config", cfg})
	done := make(chan error, 1)
	go func() { done <- root.Execute() }()

	start := regexp.MustCompile(`http://\S+/start\?\S+`)
	for start.FindString(stderr.String()) == "" {
		<-stderr.wrote
	}
	u, _ := url.Parse(start.FindString(stderr.String()))
	if r := u.Query().Get("cli_redirect"); !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/callback$`).MatchString(r) {
		t.Fatalf("cli_redirect %q", r)
	}
	res, err := http.Get(u.String()) // the browser, following the redirect to the loopback
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := <-done; err != nil {
		t.Fatalf("login --sso: %v (the browser saw %q)", err, body)
	}
	f, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := f.Lookup("", ""); !ok || p.AccessToken != "a" || p.RefreshToken != "r" || p.Tenant != "acme" {
		t.Fatalf("profile %+v, %v", p, ok)
	}
	if !strings.Contains(string(body), "close this window") {
		t.Errorf("the browser saw %q", body)
	}
}

// lockedBuffer is a buffer written by the command's goroutine and read by
// the test's, signalling each write.
type lockedBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
