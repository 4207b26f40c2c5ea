package backup_test

import (
	"crypto/rand"
	"encoding/hex"
)

// randomSuffix keeps the databases of runs on one server apart.
func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
