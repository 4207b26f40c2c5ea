package tracking

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// maxForm bounds a public form's body.
const maxForm = 16 << 10

// hitRequest is a request on a tracking link.
type hitRequest struct {
	Token string
	Hit   Hit
}

// formRequest is a public page's POST: the token and the form's fields.
type formRequest struct {
	Token string
	Form  map[string]string
}

// decodeToken reads the {token} path value.
func decodeToken(_ context.Context, r *http.Request) (any, error) { return r.PathValue("token"), nil }

// decodeHit reads a tracking link's token and who fetched it: the
// method, the User-Agent and the client's address (the first of
// X-Forwarded-For, which the gateway sets, else the peer's).
func decodeHit(_ context.Context, r *http.Request) (any, error) {
	ip := strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-For"), ",")[0])
	if ip == "" {
		ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	return hitRequest{Token: r.PathValue("token"), Hit: Hit{Method: r.Method, UserAgent: r.UserAgent(), IP: ip}}, nil
}

// decodeForm reads a public page's POST: a form (urlencoded or multipart,
// as RFC 8058's one-click POST may be) of at most maxForm bytes. A body
// that is not a form is read as an empty one.
func decodeForm(_ context.Context, r *http.Request) (any, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	out := formRequest{Token: r.PathValue("token"), Form: map[string]string{}}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		_ = r.ParseMultipartForm(maxForm)
	} else {
		_ = r.ParseForm()
	}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			out.Form[k] = v[0]
		}
	}
	return out, nil
}

// PublicRoutes are the public routes of s (marketing:public, the
// principal the gateway mints for /m/<tenant>/…): the open pixel, the
// click redirect, the unsubscribe page and its POST (RFC 8058 one-click
// too), and the preference page. A forged or tampered token is 404.
func PublicRoutes(s *Service) []starter.Route {
	return []starter.Route{
		{Name: "trackOpen", Method: "GET", Path: "/public/v1/t/o/{token}", Permission: marketingdb.PermPublic,
			Decode: decodeHit, Encode: encodePixel,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(hitRequest)
				return nil, s.Open(ctx, req.Token, req.Hit)
			}},
		{Name: "trackClick", Method: "GET", Path: "/public/v1/t/c/{token}", Permission: marketingdb.PermPublic,
			Decode: decodeHit, Encode: encodeRedirect,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(hitRequest)
				target, err := s.Click(ctx, req.Token, req.Hit)
				return redirect(target), err
			}},
		{Name: "getUnsubscribePage", Method: "GET", Path: "/public/v1/u/{token}", Permission: marketingdb.PermPublic,
			Decode: decodeToken, Encode: encodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				info, err := s.UnsubscribeInfo(ctx, r.(string))
				return page{name: "unsubscribe", data: info, status: http.StatusOK}, err
			}},
		{Name: "unsubscribe", Method: "POST", Path: "/public/v1/u/{token}", Permission: marketingdb.PermPublic,
			Decode: decodeForm, Encode: encodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(formRequest)
				source := SourceLink
				if req.Form["List-Unsubscribe"] == "One-Click" {
					source = SourceOneClick
				}
				if err := s.Unsubscribe(ctx, req.Token, source); err != nil {
					return nil, err
				}
				info, err := s.UnsubscribeInfo(ctx, req.Token)
				return page{name: "unsubscribe", data: info, status: http.StatusOK}, err
			}},
		{Name: "getPreferencesPage", Method: "GET", Path: "/public/v1/preferences/{token}", Permission: marketingdb.PermPublic,
			Decode: decodeToken, Encode: encodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				prefs, err := s.Preferences(ctx, r.(string))
				return page{name: "preferences", data: preferencesPage{Preferences: prefs}, status: http.StatusOK}, err
			}},
		{Name: "setPreferences", Method: "POST", Path: "/public/v1/preferences/{token}", Permission: marketingdb.PermPublic,
			Decode: decodeForm, Encode: encodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(formRequest)
				if req.Form["submitted"] != "yes" { // not the page's form: nothing to change
					prefs, err := s.Preferences(ctx, req.Token)
					return page{name: "preferences", data: preferencesPage{Preferences: prefs}, status: http.StatusOK}, err
				}
				keep := map[string]bool{ChannelEmail: req.Form[ChannelEmail] == "on", ChannelSMS: req.Form[ChannelSMS] == "on"}
				prefs, err := s.SetPreferences(ctx, req.Token, keep)
				return page{name: "preferences", data: preferencesPage{Preferences: prefs, Saved: true}, status: http.StatusOK}, err
			}},
	}
}
