package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// Kind is what a link does.
type Kind byte

// The kinds of links.
const (
	KindOpen        Kind = 'o'
	KindClick       Kind = 'c'
	KindUnsubscribe Kind = 'u'
	KindPreferences Kind = 'p'
)

// ErrToken is a token that is malformed, forged or tampered with, or of
// another kind than the route's: the route answers 404.
var ErrToken = errors.New("tracking: invalid link token")

// tokenVersion is the first byte of every token: the layout below.
const tokenVersion = 1

// macLen is the length of the truncated HMAC-SHA256 ending a token
// (128 bits).
const macLen = 16

// uuidField marks a field stored as the 16 bytes of a UUID; any other
// first byte of a field is its length.
const uuidField = 0xff

// Token is a link's token read back: its kind, its Ref (for an open or a
// click, the tenant and the message only: the rest is the message's) and,
// for a click, its target.
type Token struct {
	Kind   Kind
	Ref    Ref
	Target string
}

// refFields are the fields of r a token of kind carries: the message for
// an open or a click (its contact, campaign and channel are the message
// row's, and the links stay short enough for an SMS); the contact,
// campaign and channel too for an unsubscribe or the preference page,
// which work on the contact even once the message is gone. The tenant is
// never in the token: the link's path names it, and the signature covers
// it.
func refFields(kind Kind, r *Ref) []*string {
	if kind == KindOpen || kind == KindClick {
		return []*string{&r.MessageID}
	}
	return []*string{&r.MessageID, &r.ContactID, &r.CampaignID, &r.Channel}
}

// sign encodes kind, r and target as a token: base64url (no padding) of
// the version, the kind, r's fields of kind (refFields: a UUID as its 16
// bytes, anything else length-prefixed), the target, and an HMAC-SHA256
// of the tenant and all of it under the key, truncated to 16 bytes.
// Changing any byte, the target included, or reaching it through another
// tenant breaks the MAC: a click link cannot be pointed elsewhere.
func (l Links) sign(kind Kind, r Ref, target string) string {
	b := []byte{tokenVersion, byte(kind)}
	for _, f := range refFields(kind, &r) {
		b = appendField(b, *f)
	}
	b = append(b, target...)
	b = append(b, l.mac(r.TenantID, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Parse reads a token of kind reached through tenant, checking its
// signature; anything else is ErrToken.
func (l Links) Parse(kind Kind, tenant, token string) (Token, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 2+1+macLen {
		return Token{}, ErrToken
	}
	body, sum := b[:len(b)-macLen], b[len(b)-macLen:]
	if !hmac.Equal(sum, l.mac(tenant, body)) || body[0] != tokenVersion || Kind(body[1]) != kind {
		return Token{}, ErrToken
	}
	t := Token{Kind: kind, Ref: Ref{TenantID: tenant}}
	rest := body[2:]
	for _, f := range refFields(kind, &t.Ref) {
		if *f, rest, err = readField(rest); err != nil {
			return Token{}, err
		}
	}
	t.Target = string(rest)
	return t, nil
}

// mac is the truncated HMAC-SHA256 of tenant (case folded, as UUIDs are
// written either way) and b under the key.
func (l Links) mac(tenant string, b []byte) []byte {
	h := hmac.New(sha256.New, l.key)
	h.Write([]byte(strings.ToLower(tenant)))
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil)[:macLen]
}

// appendField appends f to b: a canonical UUID as uuidField and its 16
// bytes, anything else as its length (at most 254 bytes kept) and bytes.
func appendField(b []byte, f string) []byte {
	if id, err := uuid.Parse(f); err == nil && id.String() == f {
		return append(append(b, uuidField), id[:]...)
	}
	if len(f) >= uuidField {
		f = f[:uuidField-1]
	}
	return append(append(b, byte(len(f))), f...)
}

// readField reads a field appendField wrote from the start of b.
func readField(b []byte) (string, []byte, error) {
	if len(b) == 0 {
		return "", nil, ErrToken
	}
	if b[0] == uuidField {
		if len(b) < 17 {
			return "", nil, ErrToken
		}
		return uuid.UUID(b[1:17]).String(), b[17:], nil
	}
	n := int(b[0])
	if len(b) < 1+n {
		return "", nil, ErrToken
	}
	return string(b[1 : 1+n]), b[1+n:], nil
}
