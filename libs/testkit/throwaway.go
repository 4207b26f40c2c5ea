package testkit

import "errors"

// throwawayServer starts (or reuses) a PostgreSQL cluster from the system's
// binaries for tests when no server answers.
func throwawayServer() (string, error) {
	return "", errors.New("no server answers at " + DefaultPostgresURL + " and TEST_DATABASE_URL is not set")
}
