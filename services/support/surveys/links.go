package surveys

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Links signs and checks the tokens of the surveys' links: HMAC-SHA256
// over the tenant, the survey and the expiry, with the service's key
// (Config.Key).
type Links struct{ key []byte }

// NewLinks returns the Links of key.
func NewLinks(key []byte) Links { return Links{key: key} }

// claims are what a token signs.
type claims struct {
	Tenant  string `json:"t"`
	Survey  string `json:"s"`
	Expires int64  `json:"x"` // Unix seconds
}

// Sign returns the token of the tenant's survey id, valid until expires.
func (l Links) Sign(tenant, id string, expires time.Time) string {
	payload, _ := json.Marshal(claims{Tenant: tenant, Survey: id, Expires: expires.Unix()}) // strings and a number
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(l.mac(p))
}

// Verify checks token for tenant at now and returns its survey's id; a
// forged, malformed or expired token, or another tenant's, is
// ErrNotFound.
func (l Links) Verify(token, tenant string, now time.Time) (string, error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrNotFound
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, l.mac(p)) {
		return "", ErrNotFound
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return "", ErrNotFound
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Tenant != tenant || c.Survey == "" || !now.Before(time.Unix(c.Expires, 0)) {
		return "", ErrNotFound
	}
	return c.Survey, nil
}

// mac is the HMAC of a token's encoded payload.
func (l Links) mac(payload string) []byte {
	h := hmac.New(sha256.New, l.key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}
