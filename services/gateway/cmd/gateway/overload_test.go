package main

import (
	"strings"
	"testing"
	"time"
)

// TestOverloadGatewayConfig reads the gateway's own in-flight limit (its
// default larger than a service's) and its request database bounds, and
// names a malformed variable.
func TestOverloadGatewayConfig(t *testing.T) {
	env := validEnv()
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Overload.MaxInFlight != defaultGatewayMaxInFlight || c.Overload.DB.Lock == 0 {
		t.Errorf("defaults: %+v, want GATEWAY_MAX_IN_FLIGHT %d and a lock timeout", c.Overload, defaultGatewayMaxInFlight)
	}
	env["GATEWAY_MAX_IN_FLIGHT"], env["GATEWAY_DB_LOCK_TIMEOUT"] = "5", "1s"
	if c, err = loadConfig(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Overload.MaxInFlight != 5 || c.Overload.DB.Lock != time.Second {
		t.Errorf("set: %+v, want 5 in flight and a 1s lock timeout", c.Overload)
	}
	env["GATEWAY_MAX_IN_FLIGHT"] = "many"
	if _, err = loadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "GATEWAY_MAX_IN_FLIGHT") {
		t.Errorf("GATEWAY_MAX_IN_FLIGHT=many: error %v does not name it", err)
	}
}
