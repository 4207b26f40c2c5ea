package main

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// TestMarketingEnv: the marketing service's links point at the gateway and
// are signed with a key of 32 bytes that a second run finds again; what
// the launcher's environment sets is left to it.
func TestMarketingEnv(t *testing.T) {
	dir := t.TempDir()
	none := func(string) string { return "" }
	first, err := marketingEnv(dir, "http://127.0.0.1:8080", none)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(first, "MARKETING_PUBLIC_URL=http://127.0.0.1:8080") {
		t.Errorf("env %v has no MARKETING_PUBLIC_URL of the gateway", first)
	}
	i := slices.IndexFunc(first, func(v string) bool { return strings.HasPrefix(v, "MARKETING_LINK_KEY=") })
	if i < 0 {
		t.Fatalf("env %v has no MARKETING_LINK_KEY", first)
	}
	if key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(first[i], "MARKETING_LINK_KEY=")); err != nil || len(key) < 32 {
		t.Errorf("MARKETING_LINK_KEY = %q: %v, want base64 of at least 32 bytes", first[i], err)
	}
	again, err := marketingEnv(dir, "http://127.0.0.1:8080", none)
	if err != nil || !slices.Equal(again, first) {
		t.Errorf("second run: %v %v, want %v (the key kept)", again, err, first)
	}
	set := map[string]string{"MARKETING_PUBLIC_URL": "https://crm.example", "MARKETING_LINK_KEY": "x"}
	if own, err := marketingEnv(dir, "http://127.0.0.1:8080", func(k string) string { return set[k] }); err != nil || len(own) != 0 {
		t.Errorf("with both set: %v %v, want nothing added", own, err)
	}
}
