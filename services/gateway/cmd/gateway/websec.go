package main

import (
	"fmt"

	"github.com/rapport-crm/rapport/services/gateway/websec"
)

// loadWebsecConfig reads the browser-facing settings: GATEWAY_CORS_ORIGINS.
func loadWebsecConfig(getenv func(string) string, c *config) error {
	origins, err := websec.ParseOrigins(getenv("GATEWAY_CORS_ORIGINS"))
	if err != nil {
		return fmt.Errorf("GATEWAY_CORS_ORIGINS: %v", err)
	}
	c.CORSOrigins = origins
	return nil
}
