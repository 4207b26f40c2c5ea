package chart

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestBadInput: values that cannot install make the render (the first step
// of `helm install`, before anything is applied) fail with a message naming
// the value: a wrong type, an unknown key, a missing existingSecret or a
// secret in values in production mode, replicas below the PDB's minimum.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name, base, values string
		// names are the forms of the value's name, one of which the error
		// must hold: the schema's JSON pointer or the values path.
		names []string
	}{
		{"wrong type", "ci/minimal-values.yaml",
			"services:\n  contacts:\n    replicas: three\n",
			[]string{"/services/contacts/replicas", "services.contacts.replicas"}},
		{"unknown key", "ci/minimal-values.yaml",
			"gateway:\n  replica: 3\n",
			[]string{"'replica'"}},
		{"unknown top-level key", "ci/minimal-values.yaml",
			"databse:\n  url: postgres://x\n",
			[]string{"'databse'"}},
		{"missing existingSecret in production", "ci/production-values.yaml",
			"services:\n  sales:\n    existingSecret: \"\"\n",
			[]string{"services.sales.existingSecret", "/services/sales/existingSecret"}},
		{"secret in values in production", "ci/production-values.yaml",
			"gateway:\n  database:\n    url: postgres://gateway_app:secret@db:5432/gateway\n",
			[]string{"gateway.database.url", "/gateway/database/url"}},
		{"replicas below the PDB minimum", "ci/minimal-values.yaml",
			"services:\n  contacts:\n    replicas: 1\n    pdb:\n      minAvailable: 2\n",
			[]string{"services.contacts.replicas", "/services/contacts/replicas"}},
		{"gateway replicas below the PDB minimum", "ci/minimal-values.yaml",
			"gateway:\n  replicas: 1\n  pdb:\n    minAvailable: 2\n",
			[]string{"gateway.replicas", "/gateway/replicas"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad-values.yaml")
			if err := os.WriteFile(bad, []byte(c.values), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := charttest.RenderChart(charttest.ChartDir(t), charttest.ValuesFile(t, c.base), bad)
			if err == nil {
				t.Fatalf("%s with\n%s\nrendered; want an error naming %s", c.base, c.values, c.names[0])
			}
			if !containsAny(err.Error(), c.names) {
				t.Errorf("the error does not name the value (%s):\n%v", strings.Join(c.names, " or "), err)
			}
		})
	}
}

// containsAny says whether s holds one of subs.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestBadInstallAppliesNothing: a real `helm install` (Helm SDK, envtest)
// with a missing existingSecret in production mode fails naming the value
// and leaves the cluster as it was: not even its namespace is created.
func TestBadInstallAppliesNothing(t *testing.T) {
	cfg := charttest.APIServer(t)
	const ns = "rapport-bad-input"
	bad := filepath.Join(t.TempDir(), "bad-values.yaml")
	if err := os.WriteFile(bad, []byte("gateway:\n  existingSecret: \"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ch, vals, err := charttest.Load(charttest.ChartDir(t), charttest.ValuesFile(t, "ci/production-values.yaml"), bad)
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(helmConfig(t, cfg, ns))
	install.ReleaseName = charttest.ReleaseName
	install.Namespace = ns
	install.CreateNamespace = true
	install.WaitStrategy = kube.HookOnlyStrategy
	install.Timeout = time.Minute
	_, err = install.RunWithContext(context.Background(), ch, vals)
	if err == nil || !strings.Contains(err.Error(), "gateway.existingSecret") {
		t.Fatalf("install error %v, want one naming gateway.existingSecret", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("after the failed install, namespace %s: %v (want not found: nothing applied)", ns, err)
	}
}
