package chart

import (
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// ciValues are the chart's values files every test renders (CONTRACT.md).
var ciValues = []string{"ci/minimal-values.yaml", "ci/production-values.yaml", "ci/all-values.yaml"}

func TestMain(m *testing.M) { os.Exit(charttest.Main(m)) }

// renderCI renders the chart with one of ciValues.
func renderCI(t *testing.T, name string) []*unstructured.Unstructured {
	t.Helper()
	return charttest.Render(t, charttest.ValuesFile(t, name))
}
