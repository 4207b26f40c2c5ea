package surveys

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Config is the surveys' configuration, from the environment
// (ParseConfig).
type Config struct {
	// Key (SUPPORT_SURVEY_KEY, at least 32 bytes) signs the surveys'
	// links; random per process when unset (links then die with it).
	Key []byte
	// URL (SUPPORT_PORTAL_URL) is the gateway's public URL, the start of
	// the links: <URL>/portal/<slug>/surveys/<token>, slug the tenant's
	// (Settings.PortalSlug), or <URL>/portal/surveys/<token> without one
	// (the portal on the tenant's own domain).
	URL string
}

// minKey is the shortest SUPPORT_SURVEY_KEY, in bytes.
const minKey = 32

// ParseConfig reads the surveys' configuration through getenv; the error
// names the first malformed variable.
func ParseConfig(getenv func(string) string) (Config, error) {
	c := Config{Key: []byte(getenv("SUPPORT_SURVEY_KEY")), URL: strings.TrimRight(strings.TrimSpace(getenv("SUPPORT_PORTAL_URL")), "/")}
	if c.URL != "" && !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "http://") {
		return c, fmt.Errorf("SUPPORT_PORTAL_URL must be an http or https URL")
	}
	if len(c.Key) == 0 {
		c.Key = make([]byte, minKey)
		_, _ = rand.Read(c.Key) // crypto/rand.Read never fails
	} else if len(c.Key) < minKey {
		return c, fmt.Errorf("SUPPORT_SURVEY_KEY must be at least %d bytes", minKey)
	}
	return c, nil
}
