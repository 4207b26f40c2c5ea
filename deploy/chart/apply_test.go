package chart

import (
	"testing"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestDryRunApply renders the chart with each ci values file and
// server-side applies every object (hooks too) to envtest with dryRun=All
// and strict field validation, with the optional integrations' CRDs loaded:
// a field the API does not know, a wrong type or a value the server's
// validation refuses fails here.
func TestDryRunApply(t *testing.T) {
	cfg := charttest.APIServer(t)
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			objs := renderCI(t, name)
			if len(objs) == 0 {
				t.Fatal("the chart rendered no object")
			}
			charttest.DryRunApply(t, cfg, objs)
		})
	}
}
