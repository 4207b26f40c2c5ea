package forms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/google/uuid"
)

// tokenMAC is how many bytes of the HMAC a confirmation token keeps.
const tokenMAC = 16

// confirmToken is the token of the confirmation link of the submission
// id of the form formID of tenant: the submission's id and an
// HMAC-SHA256 over the three, base64url. It cannot be forged, nor moved
// to another form or tenant.
func confirmToken(key []byte, tenant, formID, id string) string {
	u, err := uuid.Parse(id)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(append(u[:], confirmMAC(key, tenant, formID, id)...))
}

// readConfirmToken returns the submission id token confirms for the form
// formID of tenant, or false for a token that is not one of ours.
func readConfirmToken(key []byte, tenant, formID, token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 16+tokenMAC {
		return "", false
	}
	id, err := uuid.FromBytes(raw[:16])
	if err != nil || !hmac.Equal(raw[16:], confirmMAC(key, tenant, formID, id.String())) {
		return "", false
	}
	return id.String(), true
}

// confirmMAC is the truncated HMAC of a confirmation token.
func confirmMAC(key []byte, tenant, formID, id string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("rapport marketing form confirmation\x00" + tenant + "\x00" + formID + "\x00" + id))
	return m.Sum(nil)[:tokenMAC]
}
