package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
	"github.com/rapport-crm/rapport/libs/apiclient"
)

// ssoTimeout bounds how long crmctl waits for the browser's sign-in.
const ssoTimeout = 5 * time.Minute

// errSSOState is a callback whose state is not the one crmctl sent.
var errSSOState = errors.New("the sign-in's callback does not carry this login's state")

// callback is what the gateway's redirect to the loopback listener carries.
type callback struct {
	code, state, err string
}

// ssoLogin signs in with the tenant's single sign-on: it listens on
// http://127.0.0.1:<port>/callback, sends the browser to the gateway's SSO
// start with that redirect, a state and a PKCE S256 challenge, and exchanges
// the one-time code it receives, with the verifier, for tokens.
func ssoLogin(cmd *cobra.Command, gateway, tenant string, browser bool) (session.Tokens, error) {
	var tok session.Tokens
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return tok, err
	}
	defer ln.Close()
	redirect := fmt.Sprintf("http://%s/callback", ln.Addr())
	state, verifier := random(), random()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"cli_redirect": {redirect}, "cli_state": {state},
		"cli_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}}
	start := gateway + "/v1/auth/oidc/" + url.PathEscape(tenant) + "/start?" + q.Encode()

	got := make(chan callback, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		v := r.URL.Query()
		select {
		case got <- callback{code: v.Get("code"), state: v.Get("state"), err: v.Get("error")}:
		default:
		}
		fmt.Fprintln(w, "crmctl: you may close this window and go back to the terminal.")
	})}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	defer srv.Close()

	fmt.Fprintf(cmd.ErrOrStderr(), "Open this URL to sign in:\n  %s\n", start)
	if browser {
		if err := open(start); err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "(could not open a browser: %v)\n", err)
		}
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), ssoTimeout)
	defer cancel()
	var cb callback
	select {
	case cb = <-got:
	case <-ctx.Done():
		return tok, fmt.Errorf("no sign-in within %s", ssoTimeout)
	}
	if cb.state != state {
		return tok, errSSOState
	}
	if cb.err != "" || cb.code == "" {
		return tok, fmt.Errorf("the single sign-on failed: %s", cb.err)
	}
	c, err := session.NewStatic(gateway, "")
	if err != nil {
		return tok, err
	}
	res, err := c.API.ExchangeSSOCode(ctx, apiclient.ExchangeSSOCodeJSONRequestBody{Code: cb.code, Verifier: verifier})
	_, err = session.Decode(res, err, &tok)
	return tok, err
}

// random returns 256 random bits as 52 base32 characters (a valid PKCE verifier).
func random() string {
	return rand.Text() + rand.Text()
}

// open opens url in the system's browser.
func open(url string) error {
	var c *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		c = exec.Command("open", url)
	case "windows":
		c = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		c = exec.Command("xdg-open", url)
	}
	return c.Start()
}
