package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/rapport-crm/rapport/libs/auth"
)

// Keys is the gateway's signing key set: the current key, which signs user
// access tokens and internal tokens, and the previous keys, which are still
// published in the JWKS (and still verify user tokens) while a rotation is
// under way. Every gateway replica must load the same keys.
type Keys struct {
	signers []*auth.Signer       // signers[0] is current
	public  map[string]verifyKey // by kid
	jwks    []byte
}

// verifyKey is a public key with the algorithm it verifies.
type verifyKey struct {
	alg jwa.SignatureAlgorithm
	key jwk.Key
}

// NewKeys builds a key set from private keys, the current one first. Each is
// an *ecdsa.PrivateKey on P-256 (ES256) or an ed25519.PrivateKey (EdDSA);
// kids are RFC 7638 thumbprints.
func NewKeys(keys ...crypto.Signer) (*Keys, error) {
	if len(keys) == 0 {
		return nil, errors.New("identity: no signing keys")
	}
	ks := &Keys{public: map[string]verifyKey{}}
	for _, k := range keys {
		s, err := auth.NewSignerFromKey(k, "")
		if err != nil {
			return nil, err
		}
		jk, err := jwk.Import(k)
		if err != nil {
			return nil, fmt.Errorf("identity: import key: %w", err)
		}
		alg := jwa.ES256()
		if _, ok := k.(ed25519.PrivateKey); ok {
			alg = jwa.EdDSA()
		}
		if err := jk.Set(jwk.KeyIDKey, s.KeyID()); err != nil {
			return nil, err
		}
		if err := jk.Set(jwk.AlgorithmKey, alg); err != nil {
			return nil, err
		}
		pub, err := jk.PublicKey()
		if err != nil {
			return nil, err
		}
		if _, dup := ks.public[s.KeyID()]; dup {
			continue
		}
		ks.signers = append(ks.signers, s)
		ks.public[s.KeyID()] = verifyKey{alg: alg, key: pub}
	}
	jwks, err := auth.JWKS(ks.signers...)
	if err != nil {
		return nil, err
	}
	ks.jwks = jwks
	return ks, nil
}

// GenerateKeys returns a key set of one fresh ES256 key. Replicas that
// generate their own keys cannot verify each other's user tokens: use
// LoadKeys with GATEWAY_SIGNING_KEYS beyond one replica.
func GenerateKeys() (*Keys, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: generate key: %w", err)
	}
	return NewKeys(k)
}

// LoadOrGenerateKeys is the gateway's key set: LoadKeys(spec) when
// GATEWAY_SIGNING_KEYS is set, else a generated key, with a warning, for a
// single replica.
func LoadOrGenerateKeys(spec string, logger *slog.Logger) (*Keys, error) {
	if spec == "" {
		logger.Warn("GATEWAY_SIGNING_KEYS is not set: using a generated key; replicas will not accept each other's tokens")
		return GenerateKeys()
	}
	keys, err := LoadKeys(spec)
	if err != nil {
		return nil, fmt.Errorf("GATEWAY_SIGNING_KEYS: %w", err)
	}
	return keys, nil
}

// LoadKeys reads the keys named by spec, the value of GATEWAY_SIGNING_KEYS:
// either PEM text (one or more private key blocks) or a comma-separated list
// of PEM file paths. The first key is the current one; the rest are previous
// keys kept in the JWKS during rotation.
func LoadKeys(spec string) (*Keys, error) {
	spec = strings.TrimSpace(spec)
	var blobs [][]byte
	if strings.HasPrefix(spec, "-----BEGIN") {
		blobs = append(blobs, []byte(spec))
	} else {
		for _, path := range strings.Split(spec, ",") {
			b, err := os.ReadFile(strings.TrimSpace(path))
			if err != nil {
				return nil, fmt.Errorf("identity: signing key: %w", err)
			}
			blobs = append(blobs, b)
		}
	}
	var keys []crypto.Signer
	for _, b := range blobs {
		for {
			var block *pem.Block
			block, b = pem.Decode(b)
			if block == nil {
				break
			}
			k, err := parsePrivateKey(block)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("identity: no PEM private key found in the signing keys")
	}
	return NewKeys(keys...)
}

// parsePrivateKey accepts "EC PRIVATE KEY" (SEC 1) and "PRIVATE KEY" (PKCS #8)
// blocks holding a P-256 or Ed25519 key.
func parsePrivateKey(block *pem.Block) (crypto.Signer, error) {
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("identity: signing key: %w", err)
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("identity: signing key: %w", err)
		}
		switch k := k.(type) {
		case *ecdsa.PrivateKey:
			return k, nil
		case ed25519.PrivateKey:
			return k, nil
		}
		return nil, fmt.Errorf("identity: signing key: %T is not supported; use P-256 or Ed25519", k)
	}
	return nil, fmt.Errorf("identity: signing key: PEM block %q is not a private key", block.Type)
}

// EncodePrivateKeyPEM returns key as a PKCS #8 PEM block, for writing key
// files (tests, tooling).
func EncodePrivateKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Signer returns the signer of the current key. The edge proxy mints the
// per-request internal tokens with it (audience = the service, auth.DefaultTTL);
// the services verify them against the same JWKS.
func (k *Keys) Signer() *auth.Signer { return k.signers[0] }

// KeyIDs returns the kids of the set, the current one first.
func (k *Keys) KeyIDs() []string {
	ids := make([]string, len(k.signers))
	for i, s := range k.signers {
		ids[i] = s.KeyID()
	}
	return ids
}

// JWKS returns the JWK Set of every key's public half, served at
// /.well-known/jwks.json.
func (k *Keys) JWKS() []byte { return k.jwks }

// jwksHandler serves the key set's JWKS.
func jwksHandler(k *Keys) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(k.JWKS())
	})
}
