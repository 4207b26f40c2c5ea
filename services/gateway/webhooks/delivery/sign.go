package delivery

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every secret (the Standard Webhooks convention).
const SecretPrefix = "whsec_"

// secretBytes is the length of a new secret's random key (the
// specification allows 24 to 64 bytes).
const secretBytes = 32

// NewSecret returns a new signing secret: "whsec_" and the base64 of 32
// random bytes.
func NewSecret() string {
	key := make([]byte, secretBytes)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Sign returns the webhook-signature header value of body sent as message
// msgID at ts with secret: "v1," and the base64 HMAC-SHA256, keyed with the
// base64-decoded part of secret after "whsec_", of "msgID.ts.body" (ts in
// unix seconds). A secret that is not "whsec_" and base64 is used as raw
// bytes, as the Standard Webhooks libraries do.
func Sign(secret, msgID string, ts time.Time, body []byte) string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		key = []byte(secret)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// MessageID is the webhook-id of delivery id (a UUID): "msg_" and its hex
// digits without dashes, the same for every attempt.
func MessageID(id string) string {
	return "msg_" + strings.ReplaceAll(id, "-", "")
}
