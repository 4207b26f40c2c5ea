package kustomize

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestOverlaySettings checks what each overlay sets on the base: every
// workload's KAFKA_BROKERS is the overlay's (settings.yaml), the gateway's
// GATEWAY_PUBLIC_URL is the Ingress's host (https exactly when the Ingress
// has TLS for it), and no PodDisruptionBudget keeps every replica of its
// Deployment (which would block node drains).
func TestOverlaySettings(t *testing.T) {
	root := charttest.RepoRoot(t)
	for _, name := range overlays {
		t.Run(name, func(t *testing.T) {
			objs := build(t, name)
			brokers := overlayBrokers(t, filepath.Join(root, "deploy", "k8s", "overlays", name, "settings.yaml"))
			n := 0
			for _, o := range objs {
				spec := podSpec(t, o)
				if spec == nil {
					continue
				}
				for _, c := range spec.Containers {
					for _, e := range c.Env {
						if e.Name == "KAFKA_BROKERS" {
							n++
							if e.Value != brokers {
								t.Errorf("%s %s: KAFKA_BROKERS is %q, the overlay's settings.yaml says %q", o.GetKind(), o.GetName(), e.Value, brokers)
							}
						}
					}
				}
			}
			if n == 0 {
				t.Error("no workload has KAFKA_BROKERS")
			}
			checkPublicURL(t, objs)
			checkDisruptionBudgets(t, objs)
		})
	}
}

// overlayBrokers reads KAFKA_BROKERS from an overlay's settings.yaml.
func overlayBrokers(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(data, &cm); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if cm.Data["KAFKA_BROKERS"] == "" {
		t.Fatalf("%s sets no KAFKA_BROKERS", path)
	}
	return cm.Data["KAFKA_BROKERS"]
}

// checkPublicURL compares the gateway's GATEWAY_PUBLIC_URL with its
// Ingress, and marketing's MARKETING_PUBLIC_URL and the operator's
// GATEWAY_PUBLIC_URL with the gateway's.
func checkPublicURL(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	var ing, gw *unstructured.Unstructured
	for _, o := range objs {
		switch {
		case o.GetKind() == "Ingress" && o.GetName() == "rapport-gateway":
			ing = o
		case o.GetKind() == "Deployment" && o.GetName() == "rapport-gateway":
			gw = o
		}
	}
	if ing == nil || gw == nil {
		t.Fatal("no Ingress or Deployment rapport-gateway")
	}
	rules, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
	if len(rules) != 1 {
		t.Fatalf("Ingress rapport-gateway has %d rules, want 1", len(rules))
	}
	host, _, _ := unstructured.NestedString(rules[0].(map[string]any), "host")
	scheme := "http"
	tls, _, _ := unstructured.NestedSlice(ing.Object, "spec", "tls")
	for _, entry := range tls {
		hosts, _, _ := unstructured.NestedStringSlice(entry.(map[string]any), "hosts")
		for _, h := range hosts {
			if h == host {
				scheme = "https"
			}
		}
	}
	var public string
	for _, c := range podSpec(t, gw).Containers {
		for _, e := range c.Env {
			if e.Name == "GATEWAY_PUBLIC_URL" {
				public = e.Value
			}
		}
	}
	u, err := url.Parse(public)
	if err != nil || u.Host != host || u.Scheme != scheme {
		t.Errorf("the gateway's GATEWAY_PUBLIC_URL is %q; the Ingress serves %s://%s", public, scheme, host)
	}
	for _, d := range charttest.Find(objs, "Deployment") {
		for _, c := range podSpec(t, d).Containers {
			for _, e := range c.Env {
				if (e.Name == "MARKETING_PUBLIC_URL" || e.Name == "GATEWAY_PUBLIC_URL") && e.Value != public {
					t.Errorf("%s's %s is %q, not the gateway's %q", d.GetName(), e.Name, e.Value, public)
				}
			}
		}
	}
}

// checkDisruptionBudgets: each PodDisruptionBudget lets at least one pod of
// the Deployment of the same name go.
func checkDisruptionBudgets(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	replicas := map[string]int64{}
	for _, d := range charttest.Find(objs, "Deployment") {
		n, ok := intField(d, "spec", "replicas")
		if !ok {
			n = 1
		}
		replicas[d.GetName()] = n
	}
	for _, p := range charttest.Find(objs, "PodDisruptionBudget") {
		minAvailable, ok := intField(p, "spec", "minAvailable")
		n, found := replicas[p.GetName()]
		if !ok || !found {
			t.Errorf("PodDisruptionBudget %s: want an integer minAvailable and a Deployment of the same name", p.GetName())
			continue
		}
		if minAvailable >= n {
			t.Errorf("PodDisruptionBudget %s keeps %d of %d replicas: no node could be drained", p.GetName(), minAvailable, n)
		}
	}
}

// intField reads a whole number at path in o, however it was decoded.
func intField(o *unstructured.Unstructured, path ...string) (int64, bool) {
	v, ok, _ := unstructured.NestedFieldNoCopy(o.Object, path...)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
