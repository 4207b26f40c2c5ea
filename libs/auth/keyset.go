package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// maxJWKSSize bounds the JWKS document a Verifier reads.
const maxJWKSSize = 1 << 20

// fetchTimeout bounds one JWKS fetch.
const fetchTimeout = 10 * time.Second

// verifyKey is a public key from the JWKS with the one algorithm it verifies.
type verifyKey struct {
	alg jwa.SignatureAlgorithm
	key any // *ecdsa.PublicKey or ed25519.PublicKey
}

// keySet caches the gateway's JWKS by kid. Fetches are serialised, and a fetch
// for an unknown kid happens at most once per minInterval.
type keySet struct {
	url         string
	client      *http.Client
	minInterval time.Duration

	mu      sync.RWMutex
	keys    map[string]verifyKey
	lastErr error // of the last fetch; nil once one succeeded and none failed since

	fetchMu   sync.Mutex
	lastFetch time.Time // of the last attempt, successful or not
}

// lookup returns the key for kid, refreshing the set first if kid is unknown
// and the last fetch is older than minInterval.
func (s *keySet) lookup(ctx context.Context, kid string) (verifyKey, error) {
	if k, ok := s.get(kid); ok {
		return k, nil
	}
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	if k, ok := s.get(kid); ok {
		return k, nil // refreshed while we waited
	}
	var err error
	if time.Since(s.lastFetch) >= s.minInterval {
		err = s.fetchLocked(ctx)
	}
	if k, ok := s.get(kid); ok {
		return k, nil
	}
	if err == nil {
		err = s.status()
	}
	if err != nil && s.empty() {
		return verifyKey{}, ErrKeysUnavailable.Wrap(err)
	}
	return verifyKey{}, ErrInvalidToken.WithDetail("the token's key id %q is unknown", kid)
}

// refresh fetches the set now, keeping the old keys if the fetch fails.
func (s *keySet) refresh(ctx context.Context) error {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	return s.fetchLocked(ctx)
}

// run refreshes the set every interval until ctx is done. While the last
// fetch failed it retries sooner, from retryMin doubling up to interval, so a
// service that started before its key server becomes ready soon after it.
func (s *keySet) run(ctx context.Context, interval time.Duration) {
	retry := retryMin
	for {
		wait := interval
		if s.status() != nil {
			wait, retry = min(retry, interval), min(retry*2, interval)
		} else {
			retry = retryMin
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
			_ = s.refresh(ctx) // recorded in lastErr, reported by status
		}
	}
}

// retryMin is the first wait before fetching a key set again after a failure.
const retryMin = 250 * time.Millisecond

func (s *keySet) get(kid string) (verifyKey, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[kid]
	return k, ok
}

func (s *keySet) empty() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.keys) == 0
}

// status returns the error of the last fetch, or an error if none happened.
func (s *keySet) status() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.lastErr != nil {
		return s.lastErr
	}
	if len(s.keys) == 0 {
		return errors.New("no keys fetched yet")
	}
	return nil
}

// fetchLocked fetches and parses the JWKS; the caller holds fetchMu.
func (s *keySet) fetchLocked(ctx context.Context) error {
	s.lastFetch = time.Now()
	keys, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = err
	if err == nil {
		s.keys = keys
	}
	return err
}

func (s *keySet) fetch(ctx context.Context) (map[string]verifyKey, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", s.url, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", s.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks %s: status %s", s.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", s.url, err)
	}
	if len(body) > maxJWKSSize {
		return nil, fmt.Errorf("jwks %s: larger than %d bytes", s.url, maxJWKSSize)
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", s.url, err)
	}
	keys := make(map[string]verifyKey, set.Len())
	for i := range set.Len() {
		k, _ := set.Key(i)
		kid, ok := k.KeyID()
		if !ok || kid == "" {
			continue
		}
		vk, ok := usableKey(k)
		if ok {
			keys[kid] = vk
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("jwks %s: no ES256 or EdDSA key with a kid", s.url)
	}
	return keys, nil
}

// usableKey returns k's public key and algorithm if it is an ES256 (P-256) or
// EdDSA (Ed25519) signing key; anything else, notably a symmetric key, is
// skipped.
func usableKey(k jwk.Key) (verifyKey, bool) {
	if use, ok := k.KeyUsage(); ok && use != "sig" {
		return verifyKey{}, false
	}
	pub, err := k.PublicKey()
	if err != nil {
		return verifyKey{}, false
	}
	var raw any
	if err := jwk.Export(pub, &raw); err != nil {
		return verifyKey{}, false
	}
	var alg jwa.SignatureAlgorithm
	switch r := raw.(type) {
	case *ecdsa.PublicKey:
		if r.Curve != elliptic.P256() {
			return verifyKey{}, false
		}
		alg = jwa.ES256()
	case ed25519.PublicKey:
		alg = jwa.EdDSA()
	default:
		return verifyKey{}, false
	}
	if declared, ok := k.Algorithm(); ok && declared.String() != alg.String() {
		return verifyKey{}, false
	}
	return verifyKey{alg: alg, key: raw}, true
}
