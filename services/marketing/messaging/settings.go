package messaging

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Settings are a tenant's sending settings: the From (and Reply-To) of its
// mail, the sender id of its SMS, its DKIM key and its throttle.
type Settings struct {
	// FromAddress and FromName are the mail's From; "" is the service's
	// MARKETING_MAIL_FROM.
	FromAddress string `json:"fromAddress"`
	FromName    string `json:"fromName"`
	ReplyTo     string `json:"replyTo"`
	// SMSFrom is the sender id of SMS ("" is the provider's default).
	SMSFrom string `json:"smsFrom"`
	// DKIM signs the tenant's mail; nil: unsigned.
	DKIM *DKIM `json:"dkim,omitempty"`
	// ThrottlePerMinute is the most messages the tenant's sends hand to the
	// relay or the SMS provider in a minute, across replicas.
	ThrottlePerMinute int        `json:"throttlePerMinute"`
	UpdatedBy         string     `json:"updatedBy,omitempty"`
	UpdatedAt         *time.Time `json:"updatedAt,omitempty"`
	Version           int64      `json:"version"`
}

// DKIM is a tenant's DKIM key: the signing domain (d=) and selector (s=),
// the private key as PEM (written, never read back), and what GET shows of
// it: the public key as the DNS record's p= value and its SHA-256
// fingerprint.
type DKIM struct {
	Domain      string `json:"domain"`
	Selector    string `json:"selector"`
	PrivateKey  string `json:"privateKey,omitempty"`
	KeyType     string `json:"keyType,omitempty"`
	PublicKey   string `json:"publicKey,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// DefaultThrottle is a tenant's throttle until it sets one: messages per
// minute.
const DefaultThrottle = 6000

// maxThrottle bounds the throttle.
const maxThrottle = 1_000_000

// DefaultSettings are a tenant's settings until it sets some.
var DefaultSettings = Settings{ThrottlePerMinute: DefaultThrottle}

// The patterns of a domain name and of a DKIM selector.
var (
	domainPattern   = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$`)
	selectorPattern = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))*$`)
)

// check validates s as written by PUT, naming every bad field; a DKIM key
// without a private key keeps the one held (had), which must then exist.
func (s *Settings) check(had *DKIM) error {
	v := errs.NewValidator()
	v.Check(s.FromAddress == "" || isAddress(s.FromAddress), "fromAddress", "must be an email address")
	v.Check(len(s.FromName) <= 200 && !strings.ContainsAny(s.FromName, "\r\n"), "fromName", "must be one line of at most 200 characters")
	v.Check(s.ReplyTo == "" || isAddress(s.ReplyTo), "replyTo", "must be an email address")
	v.Check(len(s.SMSFrom) <= 20, "smsFrom", "must be at most 20 characters")
	v.Check(s.ThrottlePerMinute >= 1 && s.ThrottlePerMinute <= maxThrottle, "throttlePerMinute", fmt.Sprintf("must be 1 to %d", maxThrottle))
	if d := s.DKIM; d != nil {
		d.Domain = strings.ToLower(strings.TrimSuffix(d.Domain, "."))
		v.Check(len(d.Domain) <= 253 && domainPattern.MatchString(d.Domain), "dkim/domain", "must be a domain name")
		v.Check(len(d.Selector) <= 63 && selectorPattern.MatchString(d.Selector), "dkim/selector", "must be a DKIM selector (letters, digits, hyphens, dots)")
		switch {
		case d.PrivateKey == "" && had != nil:
			d.PrivateKey = had.PrivateKey
		case d.PrivateKey == "":
			v.Check(false, "dkim/privateKey", "is required (a PEM private key)")
		default:
			_, err := parseKey(d.PrivateKey)
			v.Check(err == nil, "dkim/privateKey", "must be a PEM RSA (at least 1024 bits) or Ed25519 private key")
		}
	}
	return v.Err()
}

// isAddress says s is one bare email address.
func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// errKey is a private key that cannot sign DKIM.
var errKey = errs.New(errs.Invalid, "marketing-dkim-key", "the DKIM key is not a PEM RSA or Ed25519 private key")

// parseKey reads a PEM private key: PKCS #1 or PKCS #8 RSA of at least
// 1024 bits, or PKCS #8 Ed25519.
func parseKey(pemKey string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemKey)))
	if block == nil {
		return nil, errKey
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return rsaKey(k)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errKey
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return rsaKey(k)
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, errKey
}

// rsaKey is k when it is long enough to sign DKIM.
func rsaKey(k *rsa.PrivateKey) (crypto.Signer, error) {
	if k.N.BitLen() < 1024 {
		return nil, errKey
	}
	return k, nil
}

// shown is d as GET shows it: the public key (the DNS record's p= value,
// as RFC 6376 and RFC 8463 write it) and its fingerprint, never the
// private key.
func (d *DKIM) shown() *DKIM {
	if d == nil {
		return nil
	}
	out := &DKIM{Domain: d.Domain, Selector: d.Selector}
	key, err := parseKey(d.PrivateKey)
	if err != nil {
		return out
	}
	var pub []byte
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		out.KeyType = "rsa"
		pub, _ = x509.MarshalPKIXPublicKey(k) // an RSA key always marshals
	case ed25519.PublicKey:
		out.KeyType, pub = "ed25519", k
	}
	sum := sha256.Sum256(pub)
	out.PublicKey, out.Fingerprint = base64.StdEncoding.EncodeToString(pub), "SHA256:"+hex.EncodeToString(sum[:])
	return out
}
