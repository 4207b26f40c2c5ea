package portal

import (
	"fmt"
	"strconv"
	"strings"
)

// Config is the portal's configuration, from the environment
// (ParseConfig).
type Config struct {
	// Key (SUPPORT_PORTAL_KEY, at least 32 bytes) signs the cases' links;
	// random per process when unset.
	Key []byte
	// URL (SUPPORT_PORTAL_URL) is the gateway's public URL, the start of
	// the links mailed to customers ("https://crm.example.com").
	URL string
	// CasesPerHour (SUPPORT_PORTAL_CASES_PER_HOUR, default 5) is how many
	// cases one address may submit in an hour.
	CasesPerHour int
}

// ParseConfig reads the portal's configuration through getenv; the error
// names the first malformed variable.
func ParseConfig(getenv func(string) string) (Config, error) {
	c := Config{Key: []byte(getenv("SUPPORT_PORTAL_KEY")), URL: strings.TrimRight(strings.TrimSpace(getenv("SUPPORT_PORTAL_URL")), "/"),
		CasesPerHour: 5}
	if c.URL != "" && !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "http://") {
		return c, fmt.Errorf("SUPPORT_PORTAL_URL must be an http or https URL")
	}
	if v := getenv("SUPPORT_PORTAL_CASES_PER_HOUR"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("SUPPORT_PORTAL_CASES_PER_HOUR must be a positive number")
		}
		c.CasesPerHour = n
	}
	return c, nil
}
