package chart

import "testing"

// TestTracingEnv: with tracing.otlpEndpoint set (ci/all-values.yaml) every
// program's container gets OTEL_EXPORTER_OTLP_ENDPOINT and
// OTEL_TRACES_SAMPLER_ARG; without it (ci/minimal-values.yaml) none does,
// so tracing is off by default.
func TestTracingEnv(t *testing.T) {
	for _, c := range []struct {
		values string
		on     bool
	}{{"ci/all-values.yaml", true}, {"ci/minimal-values.yaml", false}} {
		t.Run(c.values, func(t *testing.T) {
			for _, d := range deployments(t, renderCI(t, c.values)) {
				for _, ctr := range d.Spec.Template.Spec.Containers {
					for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER_ARG"} {
						if hasEnv(ctr, name) != c.on {
							t.Errorf("Deployment %s container %s: %s set = %v, want %v", d.Name, ctr.Name, name, !c.on, c.on)
						}
					}
				}
			}
		})
	}
}
