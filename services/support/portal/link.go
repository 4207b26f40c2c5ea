package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// LinkTTL is how long a case's link stays valid.
const LinkTTL = 30 * 24 * time.Hour

// minKey is the shortest SUPPORT_PORTAL_KEY, in bytes.
const minKey = 32

// Links signs and checks the tokens of the links that let a customer
// follow a case without a password: HMAC-SHA256 over the tenant, the
// case, the customer's email and the expiry, with the service's key.
type Links struct {
	key []byte
}

// NewLinks returns the Links of key: SUPPORT_PORTAL_KEY, at least 32
// bytes, or a random key for this process when key is empty (links then
// die with the process: fine for tests and one-replica trials only).
func NewLinks(key []byte) (Links, error) {
	if len(key) == 0 {
		key = make([]byte, minKey)
		_, _ = rand.Read(key) // crypto/rand.Read never fails
	}
	if len(key) < minKey {
		return Links{}, fmt.Errorf("SUPPORT_PORTAL_KEY must be at least %d bytes", minKey)
	}
	return Links{key: key}, nil
}

// claims are what a token signs.
type claims struct {
	Tenant  string `json:"t"`
	Case    string `json:"c"`
	Email   string `json:"e"`
	Expires int64  `json:"x"` // Unix seconds
}

// Sign returns the token of the tenant's case caseID for email, valid
// until expires.
func (l Links) Sign(tenant, caseID, email string, expires time.Time) string {
	payload, _ := json.Marshal(claims{Tenant: tenant, Case: caseID, Email: email, Expires: expires.Unix()}) // strings and a number
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(l.mac(p))
}

// Verify checks token for the tenant's case caseID at now and returns the
// email it was signed for; a forged, malformed or expired token, or one
// of another case or tenant, is ErrLink.
func (l Links) Verify(token, tenant, caseID string, now time.Time) (string, error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrLink
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, l.mac(p)) {
		return "", ErrLink
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return "", ErrLink
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Tenant != tenant || c.Case != caseID || c.Email == "" ||
		!now.Before(time.Unix(c.Expires, 0)) {
		return "", ErrLink
	}
	return c.Email, nil
}

// mac is the HMAC of a token's encoded payload.
func (l Links) mac(payload string) []byte {
	h := hmac.New(sha256.New, l.key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}
