package identity

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// A browser session (the console's) keeps the refresh token out of
// JavaScript's reach: sign-in with "session": "cookie" (or SSO started with a
// return path) sets it as an HttpOnly cookie scoped to /v1/auth, and refresh
// and logout read it from there. Those two then need the double-submit CSRF
// token: the X-CSRF-Token header must equal the readable rapport_csrf cookie,
// which another site can neither read nor set. Both cookies are
// SameSite=Strict, and Secure when the gateway is reached over TLS.
const (
	// RefreshCookie holds the refresh token of a browser session.
	RefreshCookie = "rapport_refresh"
	// CSRFCookie holds the session's CSRF token, readable by the console.
	CSRFCookie = "rapport_csrf"
	// CSRFHeader carries the CSRF token back on refresh and logout.
	CSRFHeader = "X-CSRF-Token"
	// refreshCookiePath scopes the refresh cookie to the sign-in routes.
	refreshCookiePath = "/v1/auth"
	// signInPath is the console's sign-in page, where a failed SSO sign-in
	// with a return path lands.
	signInPath = "/signin"
)

// browserSession is a sign-in answered with cookies: the body carries the
// access token only.
type browserSession struct {
	pair   TokenPair
	secure bool
}

// endedSession is the answer of a cookie logout: 204, both cookies cleared.
type endedSession struct{ secure bool }

// ssoRedirect is the answer of an SSO callback that was given a return path:
// 303 to it with a browser session, or to the sign-in page on failure.
type ssoRedirect struct {
	to      string
	session *browserSession
}

// sessionRefused is the error of a cookie refresh whose token is refused:
// its problem is answered with both cookies cleared.
type sessionRefused struct {
	error
	secure bool
}

func (e sessionRefused) Unwrap() error { return e.error }

// sessionRequest is a refresh or logout: the token from the body, else from
// the session cookie (Cookie).
type sessionRequest struct {
	RefreshRequest
	Cookie, Secure bool
}

// secureCookies reports whether cookies must be Secure: the request came
// over TLS or the gateway's public URL is https.
func (s *Service) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(strings.ToLower(s.publicURL), "https://")
}

// decodeSession decodes a refresh or logout. The body is optional (none, or
// only white space, is no body, whatever its Content-Type); without a
// refresh token in it, the session cookie's is used, and then the CSRF
// header must match the CSRF cookie (ErrCSRF).
func (s *Service) decodeSession(_ context.Context, r *http.Request) (any, error) {
	req := sessionRequest{Secure: s.secureCookies(r)}
	if r.Body != nil && r.Body != http.NoBody {
		data, err := io.ReadAll(io.LimitReader(r.Body, bodyLimit+1))
		if err != nil {
			return nil, kitx.ErrMalformedJSON.WithDetail("the request body could not be read: %s", err.Error())
		}
		if len(bytes.TrimSpace(data)) > 0 {
			r.Body = io.NopCloser(bytes.NewReader(data))
			if err := kitx.Decode(r, &req.RefreshRequest, bodyLimit); err != nil {
				return nil, err
			}
		}
	}
	if req.RefreshToken != "" {
		return req, nil
	}
	c, err := r.Cookie(RefreshCookie)
	if err != nil || c.Value == "" {
		return req, nil
	}
	csrf, err := r.Cookie(CSRFCookie)
	header := r.Header.Get(CSRFHeader)
	if err != nil || csrf.Value == "" || subtle.ConstantTimeCompare([]byte(header), []byte(csrf.Value)) != 1 {
		return nil, ErrCSRF
	}
	req.RefreshToken, req.Cookie = c.Value, true
	return req, nil
}

// refresh is the refresh endpoint: a cookie session is answered with
// cookies, and its refused token clears them.
func (s *Service) refresh(ctx context.Context, req sessionRequest) (any, error) {
	pair, err := s.Refresh(ctx, req.RefreshRequest)
	switch {
	case !req.Cookie:
		return pair, err
	case errs.KindOf(err) == errs.Unauthenticated:
		return nil, sessionRefused{error: err, secure: req.Secure}
	case err != nil:
		return nil, err
	}
	return browserSession{pair: pair, secure: req.Secure}, nil
}

// logout is the logout endpoint: a cookie session also loses its cookies.
func (s *Service) logout(ctx context.Context, req sessionRequest) (any, error) {
	if err := s.Logout(ctx, req.RefreshRequest); err != nil {
		return nil, err
	}
	if req.Cookie {
		return endedSession{secure: req.Secure}, nil
	}
	return nil, nil
}

// ssoCallbackEndpoint is the SSO callback endpoint: without a return path it answers
// the tokens (or the problem) as JSON, with one it redirects to it with a
// browser session, or to the sign-in page with a short error code.
func (s *Service) ssoCallbackEndpoint(ctx context.Context, req ssoCallbackRequest) (any, error) {
	if st, ok := s.readState(req.Cookie); ok && st.CLIRedirect != "" {
		return s.ssoCLIRedirect(ctx, req, st), nil
	}
	pair, ret, err := s.SSOCallback(ctx, req.Cookie, req.State, req.Code, req.Error, req.ClientAddr)
	switch {
	case ret == "":
		return pair, err
	case err != nil:
		code := "internal"
		if e, ok := errs.As(err); ok && e.Kind != errs.Internal {
			code = e.Slug
		} else {
			s.logger.ErrorContext(ctx, "single sign-on failed", "error", err.Error())
		}
		q := url.Values{"error": {code}, "return": {ret}}
		return ssoRedirect{to: signInPath + "?" + q.Encode()}, nil
	}
	return ssoRedirect{to: ret, session: &browserSession{pair: pair, secure: req.Secure}}, nil
}

// localPath reports whether p is a path on this site: one leading slash,
// no scheme or host, no backslash or control character (which browsers
// may read as "//").
func localPath(p string) bool {
	if len(p) > 2048 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return false
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// setSessionCookies sets the refresh and CSRF cookies of a new or rotated
// session.
func setSessionCookies(w http.ResponseWriter, refresh string, secure bool) {
	age := int(RefreshTokenTTL / time.Second)
	http.SetCookie(w, &http.Cookie{Name: RefreshCookie, Value: refresh, Path: refreshCookiePath, MaxAge: age,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: randomToken(32), Path: "/", MaxAge: age,
		Secure: secure, SameSite: http.SameSiteStrictMode})
}

// clearSessionCookies expires both cookies.
func clearSessionCookies(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: RefreshCookie, Path: refreshCookiePath, MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Path: "/", MaxAge: -1,
		Secure: secure, SameSite: http.SameSiteStrictMode})
}

// encodeResponse writes the answers of this file; every other one is
// kitx.EncodeJSON's.
func encodeResponse(ctx context.Context, w http.ResponseWriter, response any) error {
	switch r := response.(type) {
	case browserSession:
		setSessionCookies(w, r.pair.RefreshToken, r.secure)
		r.pair.RefreshToken = ""
		return kitx.EncodeJSON(ctx, w, r.pair)
	case endedSession:
		clearSessionCookies(w, r.secure)
		w.WriteHeader(http.StatusNoContent)
		return nil
	case ssoRedirect:
		if r.session != nil {
			setSessionCookies(w, r.session.pair.RefreshToken, r.session.secure)
		}
		w.Header().Set("Location", r.to)
		w.WriteHeader(http.StatusSeeOther)
		return nil
	}
	return kitx.EncodeJSON(ctx, w, response)
}

// sessionErrors wraps the problem encoder: a refused cookie session's
// problem also clears its cookies.
func sessionErrors(next kithttp.ErrorEncoder) kithttp.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		var refused sessionRefused
		if errors.As(err, &refused) {
			clearSessionCookies(w, refused.secure)
		}
		next(ctx, err, w)
	}
}
