package proxy

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
)

func TestPrincipalKey(t *testing.T) {
	base := func() auth.Principal {
		return auth.Principal{TenantID: acmeID, UserID: "u1", Roles: []string{"sales_rep"}, Teams: []string{"t1"},
			Subordinates: []string{"t2"}, Scopes: []string{"contacts:read"}, Permissions: []string{"contacts:read"},
			RecordScope: map[string]auth.Scope{"*": auth.ScopeOwn, "contacts": auth.ScopeTeam}}
	}
	tests := []struct {
		name     string
		change   func(p *auth.Principal) string // returns the audience
		wantSame bool
	}{
		{"the same principal and audience", func(*auth.Principal) string { return "contacts" }, true},
		{"record scopes built in another order", func(p *auth.Principal) string {
			p.RecordScope = map[string]auth.Scope{"contacts": auth.ScopeTeam}
			p.RecordScope["*"] = auth.ScopeOwn
			return "contacts"
		}, true},
		{"another audience", func(*auth.Principal) string { return "sales" }, false},
		{"another tenant", func(p *auth.Principal) string { p.TenantID = globexID; return "contacts" }, false},
		{"another user", func(p *auth.Principal) string { p.UserID = "u2"; return "contacts" }, false},
		{"another role", func(p *auth.Principal) string { p.Roles = []string{"manager"}; return "contacts" }, false},
		{"one more team", func(p *auth.Principal) string { p.Teams = append(p.Teams, "t3"); return "contacts" }, false},
		{"no subordinate team", func(p *auth.Principal) string { p.Subordinates = nil; return "contacts" }, false},
		{"another scope", func(p *auth.Principal) string { p.Scopes = []string{"contacts:write"}; return "contacts" }, false},
		{"another permission", func(p *auth.Principal) string { p.Permissions = []string{"contacts:*"}; return "contacts" }, false},
		{"a wider record scope", func(p *auth.Principal) string { p.RecordScope["contacts"] = auth.ScopeAll; return "contacts" }, false},
		{"a role moved to the teams", func(p *auth.Principal) string {
			p.Roles, p.Teams = nil, []string{"sales_rep", "t1"}
			return "contacts"
		}, false},
		{"one string split in two", func(p *auth.Principal) string { p.Roles = []string{"sales", "_rep"}; return "contacts" }, false},
		{"characters moved between tenant and user", func(p *auth.Principal) string {
			p.TenantID, p.UserID = acmeID+"u", "1"
			return "contacts"
		}, false},
	}
	want := principalKey(base(), "contacts")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			audience := tt.change(&p)
			if got := principalKey(p, audience); (got == want) != tt.wantSame {
				t.Errorf("same key = %v, want %v", got == want, tt.wantSame)
			}
		})
	}
}

func TestInternalTokensReuse(t *testing.T) {
	e := newEnv(t)
	v := mustVerifier(t, e.jwksURL, "contacts")
	now := time.Now()
	tokens := newInternalTokens(e.internal, auth.DefaultTTL)
	tokens.now = func() time.Time { return now }
	p, other := *writer(), *writer()
	other.Permissions = []string{"contacts:read"}
	first, err := tokens.token(p, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		after     time.Duration
		p         auth.Principal
		audience  string
		wantFirst bool // the first token again
	}{
		{"the same principal, at once", 0, p, "contacts", true},
		{"the same principal, just before half the lifetime", auth.DefaultTTL/2 - time.Millisecond, p, "contacts", true},
		{"another principal", 0, other, "contacts", false},
		{"another service", 0, p, "sales", false},
		{"the same principal, at half the lifetime", auth.DefaultTTL / 2, p, "contacts", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens.now = func() time.Time { return now.Add(tt.after) }
			got, err := tokens.token(tt.p, tt.audience)
			if err != nil {
				t.Fatal(err)
			}
			if (got == first) != tt.wantFirst {
				t.Errorf("first token again = %v, want %v", got == first, tt.wantFirst)
			}
			tok, err := jwt.ParseInsecure([]byte(got))
			if err != nil {
				t.Fatal(err)
			}
			// A token handed out leaves the service at least half its lifetime
			// (less the second iat is truncated to).
			exp, _ := tok.Expiration()
			if left := exp.Sub(now.Add(tt.after)); left < auth.DefaultTTL/2-time.Second {
				t.Errorf("token handed out with %v left, want at least %v", left, auth.DefaultTTL/2-time.Second)
			}
			if tt.audience == "contacts" {
				gotP, err := v.Verify(t.Context(), got)
				if err != nil {
					t.Fatalf("the service refuses the token: %v", err)
				}
				if !slices.Equal(gotP.Permissions, tt.p.Permissions) {
					t.Errorf("token permissions = %v, want %v", gotP.Permissions, tt.p.Permissions)
				}
			}
		})
	}
}

// TestHandlerReusesInternalTokens checks through the proxy that a principal's
// requests carry one internal token, and that a principal with other grants
// gets its own.
func TestHandlerReusesInternalTokens(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", nil)
	_, gw := newGateway(t, e, Config{Resolver: discovery.NewStatic(map[string]string{"contacts": up.addr()})})
	reader := writer()
	reader.Permissions = []string{"contacts:read"}
	forwarded := func(t *testing.T, p *auth.Principal) string {
		t.Helper()
		resp := do(t, http.MethodGet, gw.URL+"/v1/contacts/42", p, e, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d, want 200", resp.StatusCode)
		}
		got := up.last(t)
		if got.AuthErr != "" {
			t.Fatalf("the upstream refused the internal token: %s", got.AuthErr)
		}
		return strings.TrimPrefix(got.Header.Get("Authorization"), "Bearer ")
	}
	first := forwarded(t, writer())
	tests := []struct {
		name      string
		p         *auth.Principal
		wantFirst bool
	}{
		{"the same principal again, with a new user token", writer(), true},
		{"a principal with other permissions", reader, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := forwarded(t, tt.p); (got == first) != tt.wantFirst {
				t.Errorf("first internal token again = %v, want %v", got == first, tt.wantFirst)
			}
		})
	}
}

// TestPrincipalKeyCoversEveryClaim sets each field of auth.Principal in turn
// and wants a key of its own: a field added to the principal but not to
// principalKey would let two principals share an internal token.
func TestPrincipalKeyCoversEveryClaim(t *testing.T) {
	base := auth.Principal{}
	seen := map[string]string{principalKey(base, "contacts"): "zero"}
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			p := base
			v := reflect.ValueOf(&p).Elem().Field(i)
			switch v.Kind() {
			case reflect.String:
				v.SetString("x")
			case reflect.Slice:
				v.Set(reflect.Append(reflect.MakeSlice(v.Type(), 0, 1), reflect.ValueOf("x").Convert(v.Type().Elem())))
			case reflect.Map:
				m := reflect.MakeMap(v.Type())
				m.SetMapIndex(reflect.ValueOf("x").Convert(v.Type().Key()), reflect.ValueOf("x").Convert(v.Type().Elem()))
				v.Set(m)
			default:
				t.Fatalf("field %s of kind %s: teach this test and principalKey about it", f.Name, v.Kind())
			}
			key := principalKey(p, "contacts")
			if other, ok := seen[key]; ok {
				t.Errorf("setting %s gives the key of %s", f.Name, other)
			}
			seen[key] = f.Name
		})
	}
}
