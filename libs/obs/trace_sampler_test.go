package obs

import (
	"strings"
	"testing"
)

// TestSamplerFromEnv checks the sampler each setting gives: the default
// follows its parent, a ratio alone samples by it, and a public entry
// decides anew for a remote parent whatever its sampled flag.
func TestSamplerFromEnv(t *testing.T) {
	for _, c := range []struct {
		sampler, arg string
		public       bool
		want         []string
	}{
		{"", "", false, []string{"root:AlwaysOnSampler", "remoteParentSampled:AlwaysOnSampler", "remoteParentNotSampled:AlwaysOffSampler"}},
		{"", "0.25", false, []string{"root:TraceIDRatioBased{0.25}", "remoteParentNotSampled:AlwaysOffSampler"}},
		{"traceidratio", "0.5", false, []string{"TraceIDRatioBased{0.5}"}},
		{"always_off", "", false, []string{"AlwaysOffSampler"}},
		{"", "0.1", true, []string{"remoteParentSampled:TraceIDRatioBased{0.1}", "remoteParentNotSampled:TraceIDRatioBased{0.1}", "localParentNotSampled:AlwaysOffSampler"}},
	} {
		t.Setenv(EnvTracesSampler, c.sampler)
		t.Setenv(EnvTracesSamplerArg, c.arg)
		s, err := samplerFromEnv(c.public)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		for _, w := range c.want {
			if !strings.Contains(s.Description(), w) {
				t.Errorf("%q %q public=%v: sampler %s, want %s", c.sampler, c.arg, c.public, s.Description(), w)
			}
		}
	}
}
