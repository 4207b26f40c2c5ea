package main

import (
	"slices"
	"strings"
	"testing"
)

func TestSweepCORSConfig(t *testing.T) {
	for _, tt := range []struct {
		value   string
		origins []string
		err     bool
	}{
		{"", nil, false},
		{"https://crm.example.com, http://localhost:5173", []string{"https://crm.example.com", "http://localhost:5173"}, false},
		{"*", nil, true},
		{"crm.example.com", nil, true},
	} {
		env := validEnv()
		env["GATEWAY_CORS_ORIGINS"] = tt.value
		c, err := loadConfig(func(k string) string { return env[k] })
		switch {
		case tt.err && (err == nil || !strings.Contains(err.Error(), "GATEWAY_CORS_ORIGINS")):
			t.Errorf("%q: error %v, want one naming GATEWAY_CORS_ORIGINS", tt.value, err)
		case !tt.err && (err != nil || !slices.Equal(c.CORSOrigins, tt.origins)):
			t.Errorf("%q: origins %v, %v, want %v", tt.value, c.CORSOrigins, err, tt.origins)
		}
	}
}
