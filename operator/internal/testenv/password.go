package testenv

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	_ "github.com/lib/pq" // the tests' PostgreSQL driver
)

// PasswordIs reports whether role's password on the server behind adminURL
// (a superuser DSN) is password, checking its SCRAM-SHA-256 verifier. A
// server that trusts local connections accepts any password at login, so
// tests check the verifier instead.
func PasswordIs(t testing.TB, adminURL, role, password string) bool {
	t.Helper()
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var verifier sql.NullString
	if err := db.QueryRow(`SELECT rolpassword FROM pg_authid WHERE rolname = $1`, role).Scan(&verifier); err != nil {
		t.Fatalf("testenv: password of %s: %v", role, err)
	}
	// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
	method, rest, _ := strings.Cut(verifier.String, "$")
	params, keys, _ := strings.Cut(rest, "$")
	iterText, saltText, _ := strings.Cut(params, ":")
	storedText, _, _ := strings.Cut(keys, ":")
	iterations, err1 := strconv.Atoi(iterText)
	salt, err2 := base64.StdEncoding.DecodeString(saltText)
	stored, err3 := base64.StdEncoding.DecodeString(storedText)
	if method != "SCRAM-SHA-256" || err1 != nil || err2 != nil || err3 != nil {
		t.Fatalf("testenv: %s has no SCRAM-SHA-256 verifier: %q", role, verifier.String)
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, salted)
	mac.Write([]byte("Client Key"))
	clientKey := sha256.Sum256(mac.Sum(nil))
	return bytes.Equal(clientKey[:], stored)
}
