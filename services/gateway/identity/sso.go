package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/jmoiron/sqlx"
	"golang.org/x/oauth2"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/services/gateway/internal/secretbox"
)

// SSOCallbackPath is the redirect URI path registered with every provider.
const SSOCallbackPath = "/v1/auth/oidc/callback"

// ssoCookie carries the state of one sign-in between start and callback.
const ssoCookie = "rapport_sso"

// ssoStateTTL bounds how long a sign-in at the provider may take.
const ssoStateTTL = 10 * time.Minute

// PutSSORequest is the body of PUT /v1/sso. ClientSecret may be omitted when
// a provider is already configured, to keep its secret.
type PutSSORequest struct {
	Issuer       string              `json:"issuer"`
	ClientID     string              `json:"clientId"`
	ClientSecret string              `json:"clientSecret"`
	Scopes       []string            `json:"scopes"`
	RoleClaim    string              `json:"roleClaim"`
	RoleMapping  map[string][]string `json:"roleMapping"`
	DefaultRoles []string            `json:"defaultRoles"`
	Enabled      *bool               `json:"enabled"`
}

// PutSSO configures the tenant's OIDC provider (needs sso:manage). The
// client secret is sealed with the data key and never returned.
func (s *Service) PutSSO(ctx context.Context, req PutSSORequest) (SSOConfig, error) {
	p, err := caller(ctx, PermSSOManage)
	if err != nil {
		return SSOConfig{}, err
	}
	v := errs.NewValidator()
	u, perr := url.Parse(req.Issuer)
	v.Check(perr == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "issuer", "an absolute URL")
	v.Check(req.ClientID != "", "clientId", "required")
	if err := v.Err(); err != nil {
		return SSOConfig{}, err
	}
	var out SSOConfig
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		old, err := ssoGet(ctx, tx)
		exists := err == nil
		if err != nil && !isErr(err, ErrSSONotFound) {
			return err
		}
		now := s.now()
		row := ssoRow{Issuer: req.Issuer, ClientID: req.ClientID, Scopes: nonNil(req.Scopes),
			RoleClaim: req.RoleClaim, DefaultRoles: nonNil(req.DefaultRoles), Enabled: true,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if req.Enabled != nil {
			row.Enabled = *req.Enabled
		}
		if exists {
			row.CreatedAt, row.Version, row.ClientSecret = old.CreatedAt, old.Version+1, old.ClientSecret
		}
		if req.ClientSecret != "" {
			row.ClientSecret = s.box.Seal(req.ClientSecret)
		} else if !exists {
			v := errs.NewValidator()
			v.Check(false, "clientSecret", "required")
			return v.Err()
		}
		mapping := req.RoleMapping
		if mapping == nil {
			mapping = map[string][]string{}
		}
		row.RoleMapping, _ = json.Marshal(mapping)
		if err := ssoPut(ctx, tx, p.TenantID, row); err != nil {
			return err
		}
		out = row.config()
		return nil
	})
	return out, err
}

// GetSSO returns the tenant's OIDC provider without its secret (needs sso:manage).
func (s *Service) GetSSO(ctx context.Context) (SSOConfig, error) {
	p, err := caller(ctx, PermSSOManage)
	if err != nil {
		return SSOConfig{}, err
	}
	var out SSOConfig
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		r, err := ssoGet(ctx, tx)
		out = r.config()
		return err
	})
	return out, err
}

// DeleteSSO removes the tenant's OIDC provider (needs sso:manage).
func (s *Service) DeleteSSO(ctx context.Context) error {
	p, err := caller(ctx, PermSSOManage)
	if err != nil {
		return err
	}
	return s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		if _, err := ssoGet(ctx, tx); err != nil {
			return err
		}
		return ssoDelete(ctx, tx)
	})
}

// ssoState is what the signed state cookie holds.
type ssoState struct {
	TenantID string `json:"t"`
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Expires  int64  `json:"e"`
	// Return is the console's local path to send the browser back to; empty
	// for an API sign-in, whose callback answers tokens as JSON.
	Return string `json:"r,omitempty"`
	// CLIRedirect, CLIState and CLIChallenge are a command-line sign-in's
	// loopback callback, its state and its PKCE S256 challenge (sso_cli.go).
	CLIRedirect  string `json:"cr,omitempty"`
	CLIState     string `json:"cs,omitempty"`
	CLIChallenge string `json:"cc,omitempty"`
}

// ssoClient is a tenant's provider, ready to use.
type ssoClient struct {
	cfg      SSOConfig
	oauth    oauth2.Config
	provider *oidc.Provider
}

func (s *Service) ssoClient(ctx context.Context, tenantID string) (ssoClient, error) {
	var row ssoRow
	err := s.tenantTx(ctx, tenantID, func(tx *sqlx.Tx) error {
		var err error
		row, err = ssoGet(ctx, tx)
		return err
	})
	if err != nil {
		return ssoClient{}, err
	}
	if !row.Enabled {
		return ssoClient{}, ErrSSONotFound
	}
	secret, err := s.box.Open(row.ClientSecret)
	if err != nil {
		return ssoClient{}, err
	}
	ctx = oidc.ClientContext(ctx, s.httpClient)
	provider, err := oidc.NewProvider(ctx, row.Issuer)
	if err != nil {
		return ssoClient{}, ErrSSOFailed.WithDetail("the identity provider cannot be reached").Wrap(err)
	}
	scopes := append([]string{oidc.ScopeOpenID}, row.Scopes...)
	return ssoClient{cfg: row.config(), provider: provider, oauth: oauth2.Config{
		ClientID: row.ClientID, ClientSecret: secret, Endpoint: provider.Endpoint(),
		RedirectURL: strings.TrimRight(s.publicURL, "/") + SSOCallbackPath, Scopes: uniq(scopes),
	}}, nil
}

// SSOStart begins a sign-in with the tenant's provider (tenantRef is its
// slug or one of its domains): it returns the provider's authorisation URL
// (state, nonce and a PKCE S256 challenge) and the signed, short-lived cookie
// holding what the callback checks. returnPath, when not empty, must be a
// local path (localPath); the callback then starts a browser session and
// redirects there.
func (s *Service) SSOStart(ctx context.Context, tenantRef, returnPath string, hasReturn bool) (string, *http.Cookie, error) {
	if hasReturn && !localPath(returnPath) {
		v := errs.NewValidator()
		v.Check(false, "return", "a path on this site: one leading /, no scheme, host or backslash")
		return "", nil, v.Err()
	}
	return s.ssoStart(ctx, tenantRef, ssoState{Return: returnPath})
}

// ssoStart is SSOStart with the state's return fields (Return, or the CLI's)
// given in st.
func (s *Service) ssoStart(ctx context.Context, tenantRef string, st ssoState) (string, *http.Cookie, error) {
	t, err := tenantByRef(ctx, s.db, tenantRef)
	if err != nil || t.Status != TenantActive {
		return "", nil, ErrSSONotFound
	}
	c, err := s.ssoClient(ctx, t.ID)
	if err != nil {
		return "", nil, err
	}
	st.TenantID, st.State, st.Nonce = t.ID, randomToken(24), randomToken(24)
	st.Verifier, st.Expires = oauth2.GenerateVerifier(), s.now().Add(ssoStateTTL).Unix()
	authURL := c.oauth.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	cookie := &http.Cookie{Name: ssoCookie, Value: s.signState(st), Path: SSOCallbackPath,
		MaxAge: int(ssoStateTTL / time.Second), HttpOnly: true, Secure: strings.HasPrefix(s.publicURL, "https://"),
		SameSite: http.SameSiteLaxMode}
	return authURL, cookie, nil
}

func (s *Service) signState(st ssoState) string {
	b, _ := json.Marshal(st)
	m := hmac.New(sha256.New, secretbox.DeriveKey(s.dataKey, "sso-state"))
	m.Write(b)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(b) + "." + enc.EncodeToString(m.Sum(nil))
}

// readState returns the state a cookie value holds and whether its
// signature holds; the caller checks its expiry.
func (s *Service) readState(v string) (ssoState, bool) {
	p, sig, ok := strings.Cut(v, ".")
	enc := base64.RawURLEncoding
	b, err1 := enc.DecodeString(p)
	got, err2 := enc.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil {
		return ssoState{}, false
	}
	m := hmac.New(sha256.New, secretbox.DeriveKey(s.dataKey, "sso-state"))
	m.Write(b)
	var st ssoState
	if !hmac.Equal(got, m.Sum(nil)) || json.Unmarshal(b, &st) != nil {
		return ssoState{}, false
	}
	return st, true
}

// SSOCallback completes a sign-in: it checks state against the cookie,
// exchanges the code with the PKCE verifier, verifies the ID token (issuer,
// audience, expiry, signature, nonce), finds or creates the user (active,
// with roles from the claim mapping) and issues tokens. It also returns the
// start's return path once the state cookie's signature holds, success or
// not, so a console sign-in goes back to the console either way.
func (s *Service) SSOCallback(ctx context.Context, cookieValue, state, code, providerErr, clientAddr string) (TokenPair, string, error) {
	ev := LoginEvent{Method: LoginSSO, ClientAddr: clientAddr}
	st, signed := s.readState(cookieValue)
	pair, err := s.ssoCallback(ctx, st, signed, state, code, providerErr, &ev)
	s.recordLogin(ctx, ev, err)
	return pair, st.Return, err
}

func (s *Service) ssoCallback(ctx context.Context, st ssoState, signed bool, state, code, providerErr string, ev *LoginEvent) (TokenPair, error) {
	if !signed || s.now().Unix() > st.Expires || state == "" || !hmac.Equal([]byte(st.State), []byte(state)) {
		return TokenPair{}, ErrSSOFailed.WithDetail("the sign-in state is missing, expired or does not match")
	}
	if providerErr != "" || code == "" {
		return TokenPair{}, ErrSSOFailed.WithDetail("the identity provider refused the sign-in")
	}
	ev.TenantID = st.TenantID
	if err := s.tenants.active(ctx, st.TenantID); err != nil {
		return TokenPair{}, err
	}
	c, err := s.ssoClient(ctx, st.TenantID)
	if err != nil {
		return TokenPair{}, err
	}
	octx := oidc.ClientContext(ctx, s.httpClient)
	tok, err := c.oauth.Exchange(octx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return TokenPair{}, ErrSSOFailed.WithDetail("the authorisation code was refused").Wrap(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := c.provider.Verifier(&oidc.Config{ClientID: c.oauth.ClientID}).Verify(octx, raw)
	if err != nil || idt.Nonce != st.Nonce {
		return TokenPair{}, ErrSSOFailed.WithDetail("the ID token does not verify").Wrap(err)
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return TokenPair{}, ErrSSOFailed.Wrap(err)
	}
	if ui, err := c.provider.UserInfo(octx, oauth2.StaticTokenSource(tok)); err == nil && ui.Subject == idt.Subject {
		extra := map[string]any{}
		if ui.Claims(&extra) == nil {
			for k, v := range extra {
				if _, has := claims[k]; !has {
					claims[k] = v
				}
			}
		}
	}
	email, _ := claims["email"].(string)
	ev.Email = strings.ToLower(email)
	name, _ := claims["name"].(string)
	subject := idt.Issuer + "|" + idt.Subject
	var pair TokenPair
	err = s.tenantTx(ctx, st.TenantID, func(tx *sqlx.Tx) error {
		u, err := userByOIDCSubject(ctx, tx, subject)
		if isErr(err, ErrUserNotFound) && email != "" {
			u, err = userByEmail(ctx, tx, email)
			if err == nil && claims["email_verified"] != true {
				// Linking an existing account by an email the provider has
				// not verified would hand that account to whoever typed it.
				return ErrSSOFailed.WithDetail("the identity provider has not verified this email address")
			}
		}
		now := s.now()
		switch {
		case isErr(err, ErrUserNotFound):
			if !validEmail(email) {
				return ErrSSOFailed.WithDetail("the identity provider sent no email address")
			}
			u = userRow{User: User{ID: ids.New(), Email: email, Name: orDefault(name, email), Status: UserActive,
				Locale: "en", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now, Version: 1}}
			u.OIDCSubject = nullString(subject)
			if err := insertUser(ctx, tx, st.TenantID, u); err != nil {
				return err
			}
			if err := setUserRoles(ctx, tx, st.TenantID, u.ID, mapRoles(c.cfg, claims)); err != nil {
				return err
			}
		case err != nil:
			return err
		case u.Status == UserDisabled:
			return ErrSSOFailed.WithDetail("the user is disabled")
		}
		ev.UserID = u.ID
		if u.Status == UserInvited {
			u.Status = UserActive
		}
		u.OIDCSubject = nullString(subject)
		u.LastLoginAt = &now
		if err := updateUser(ctx, tx, u); err != nil {
			return err
		}
		pair, err = s.issue(ctx, tx, st.TenantID, u.ID, ids.New())
		return err
	})
	return pair, err
}

// mapRoles returns the roles a new SSO user gets: those the role mapping
// gives the values of the role claim (a string or an array of strings;
// "a.b" reads claim b inside object claim a), else the default roles.
func mapRoles(cfg SSOConfig, claims map[string]any) []string {
	var values []string
	if cfg.RoleClaim != "" {
		var v any = claims
		for _, part := range strings.Split(cfg.RoleClaim, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[part]
		}
		switch x := v.(type) {
		case string:
			values = []string{x}
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					values = append(values, s)
				}
			}
		}
	}
	var roles []string
	for _, val := range values {
		roles = append(roles, cfg.RoleMapping[val]...)
	}
	if len(roles) == 0 {
		roles = cfg.DefaultRoles
	}
	return uniq(roles)
}
