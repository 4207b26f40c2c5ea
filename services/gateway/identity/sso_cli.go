package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The command-line sign-in with single sign-on (crmctl login --sso), in the
// manner of OAuth for native apps (RFC 8252) with PKCE (RFC 7636): the CLI
// listens on http://127.0.0.1:<port>/callback and opens the SSO start with
// cli_redirect (that URL, nothing else), cli_state and cli_challenge (the
// base64url SHA-256 of a verifier it keeps). The callback then redirects
// the browser to cli_redirect with cli_state and a one-time code, never with
// tokens. The code is the session's first refresh token, with the challenge
// and a short expiry, sealed with the data key; POST SSOCLITokenPath
// exchanges it with the verifier for a new pair by rotating that refresh
// token, so a code works once: presented again, the refresh token's reuse
// revokes the session (RFC 6749 §4.1.2).

// SSOCLITokenPath is the route exchanging a CLI sign-in's code.
const SSOCLITokenPath = "/v1/auth/oidc/cli-token"

// ssoCLICodeTTL bounds the time between the callback and the exchange.
const ssoCLICodeTTL = 2 * time.Minute

// cliRedirect is the only redirect a CLI sign-in may ask for.
var cliRedirect = regexp.MustCompile(`^http://127\.0\.0\.1:([0-9]{1,5})/callback$`)

// cliChallenge is a base64url SHA-256 digest without padding.
var cliChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// SSOCLITokenRequest is the body of POST SSOCLITokenPath.
type SSOCLITokenRequest struct {
	Code     string `json:"code"`
	Verifier string `json:"verifier"`
}

// cliCode is what a CLI sign-in's code seals.
type cliCode struct {
	RefreshToken string `json:"r"`
	Challenge    string `json:"c"`
	Expires      int64  `json:"e"`
}

// SSOStartCLI begins a command-line sign-in with the tenant's provider: as
// SSOStart, but the callback sends the browser to redirect (exactly
// http://127.0.0.1:<port>/callback) with state and a one-time code that
// SSOCLIToken exchanges with the verifier whose S256 challenge is challenge.
func (s *Service) SSOStartCLI(ctx context.Context, tenantRef, redirect, state, challenge string) (string, *http.Cookie, error) {
	v := errs.NewValidator()
	v.Check(loopbackRedirect(redirect), "cli_redirect", "http://127.0.0.1:<port>/callback")
	v.Check(state != "" && len(state) <= 256, "cli_state", "required, at most 256 characters")
	v.Check(cliChallenge.MatchString(challenge), "cli_challenge", "the base64url SHA-256 of the PKCE verifier (S256)")
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	return s.ssoStart(ctx, tenantRef, ssoState{CLIRedirect: redirect, CLIState: state, CLIChallenge: challenge})
}

// loopbackRedirect reports whether u is http://127.0.0.1:<port>/callback
// with a port from 1 to 65535.
func loopbackRedirect(u string) bool {
	m := cliRedirect.FindStringSubmatch(u)
	if m == nil {
		return false
	}
	port, err := strconv.Atoi(m[1])
	return err == nil && port > 0 && port <= 65535
}

// ssoCLIRedirect completes a CLI sign-in's callback: a redirect to its
// loopback URL with its state and the code, or the problem type's last
// segment as error.
func (s *Service) ssoCLIRedirect(ctx context.Context, req ssoCallbackRequest, st ssoState) ssoRedirect {
	pair, _, err := s.SSOCallback(ctx, req.Cookie, req.State, req.Code, req.Error, req.ClientAddr)
	q := url.Values{"state": {st.CLIState}}
	if err != nil {
		code := "internal"
		if e, ok := errs.As(err); ok && e.Kind != errs.Internal {
			code = e.Slug
		} else {
			s.logger.ErrorContext(ctx, "single sign-on failed", "error", err.Error())
		}
		q.Set("error", code)
		return ssoRedirect{to: st.CLIRedirect + "?" + q.Encode()}
	}
	b, _ := json.Marshal(cliCode{RefreshToken: pair.RefreshToken, Challenge: st.CLIChallenge,
		Expires: s.now().Add(ssoCLICodeTTL).Unix()})
	q.Set("code", base64.RawURLEncoding.EncodeToString(s.box.Seal(string(b))))
	return ssoRedirect{to: st.CLIRedirect + "?" + q.Encode()}
}

// SSOCLIToken exchanges a CLI sign-in's code and the PKCE verifier for
// tokens. A code is good once, for ssoCLICodeTTL; a code presented again
// revokes the session it started.
func (s *Service) SSOCLIToken(ctx context.Context, req SSOCLITokenRequest) (TokenPair, error) {
	v := errs.NewValidator()
	v.Check(req.Code != "", "code", "required")
	v.Check(len(req.Verifier) >= 43 && len(req.Verifier) <= 128, "verifier", "the PKCE verifier: 43 to 128 characters")
	if err := v.Err(); err != nil {
		return TokenPair{}, err
	}
	var c cliCode
	sealed, err := base64.RawURLEncoding.DecodeString(req.Code)
	if err != nil {
		return TokenPair{}, ErrBadSSOCode
	}
	plain, err := s.box.Open(sealed)
	if err != nil || json.Unmarshal([]byte(plain), &c) != nil || s.now().Unix() > c.Expires {
		return TokenPair{}, ErrBadSSOCode
	}
	sum := sha256.Sum256([]byte(req.Verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(c.Challenge)) != 1 {
		return TokenPair{}, ErrBadSSOCode
	}
	pair, err := s.Refresh(ctx, RefreshRequest{RefreshToken: c.RefreshToken})
	if isErr(err, ErrBadRefreshToken) {
		return TokenPair{}, ErrBadSSOCode.Wrap(err)
	}
	return pair, err
}
