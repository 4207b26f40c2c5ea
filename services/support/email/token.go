package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
)

// Tokens sign and read the case tokens of subjects, "[#<number>-<sig>]":
// sig is a short HMAC of the tenant and the number, so a customer cannot
// thread a mail into someone else's case by writing its number.
type Tokens struct{ key []byte }

// sigLen is the hex digits of a token's signature.
const sigLen = 10

// tokenPattern finds a token in a subject.
var tokenPattern = regexp.MustCompile(`\[#(\d{1,18})-([0-9a-f]{` + strconv.Itoa(sigLen) + `})\]`)

// sig is the signature of case number of tenant.
func (t Tokens) sig(tenant string, number int64) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(tenant + ":" + strconv.FormatInt(number, 10)))
	return hex.EncodeToString(m.Sum(nil))[:sigLen]
}

// Token is the token of case number of tenant.
func (t Tokens) Token(tenant string, number int64) string {
	return "[#" + strconv.FormatInt(number, 10) + "-" + t.sig(tenant, number) + "]"
}

// Find reads a token in subject: the case number when the token's
// signature holds (ok), spoofed when a token is there but its signature
// does not hold.
func (t Tokens) Find(tenant, subject string) (number int64, ok, spoofed bool) {
	m := tokenPattern.FindStringSubmatch(subject)
	if m == nil {
		return 0, false, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || !hmac.Equal([]byte(m[2]), []byte(t.sig(tenant, n))) {
		return 0, false, true
	}
	return n, true, false
}
