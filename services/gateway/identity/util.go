package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/google/uuid"
)

// isErr is errors.Is, named to read well in switches.
func isErr(err, target error) bool { return errors.Is(err, target) }

// newID returns a UUIDv7 string.
func newID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken returns the hex SHA-256 of a bearer secret, as stored.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// nowUTC returns the current time in UTC, truncated to microseconds as
// PostgreSQL stores it.
func nowUTC() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// validUUID reports whether s is a UUID.
func validUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}
