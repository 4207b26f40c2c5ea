package chart

import (
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestSecretReferencesResolve: every Secret a pod template uses (env,
// envFrom, volumes, image pull secrets) is one the chart renders or one the
// values name (an existingSecret, migrationExistingSecret or pull secret),
// so no pod waits for a Secret nobody makes.
func TestSecretReferencesResolve(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			objs := renderCI(t, name)
			known := map[string]string{}
			for _, s := range charttest.Find(objs, "Secret") {
				known[s.GetName()] = "rendered"
			}
			for _, s := range namedSecrets(charttest.Values(t, charttest.ValuesFile(t, name)), "") {
				known[s] = "named in values"
			}
			refs := 0
			for _, p := range podTemplates(t, objs) {
				for _, ref := range secretRefs(p.spec) {
					refs++
					if _, ok := known[ref]; !ok {
						t.Errorf("%s %s uses Secret %s, which the chart does not render and the values do not name (known: %v)",
							p.kind, p.name, ref, sortedKeys(known))
					}
				}
			}
			if refs == 0 {
				t.Fatal("no pod uses a Secret: the programs' DSNs and keys must come from Secrets")
			}
		})
	}
}

// secretRefs lists the Secrets a pod spec uses.
func secretRefs(spec corev1.PodSpec) []string {
	var refs []string
	for _, c := range append(spec.InitContainers, spec.Containers...) {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && !isTrue(e.ValueFrom.SecretKeyRef.Optional) {
				refs = append(refs, e.ValueFrom.SecretKeyRef.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil && !isTrue(e.SecretRef.Optional) {
				refs = append(refs, e.SecretRef.Name)
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.Secret != nil && !isTrue(v.Secret.Optional) {
			refs = append(refs, v.Secret.SecretName)
		}
	}
	for _, s := range spec.ImagePullSecrets {
		refs = append(refs, s.Name)
	}
	return refs
}

// namedSecrets collects the Secret names the values give: every non-empty
// string under a key ending in existingSecret or ExistingSecret, and
// image.pullSecrets.
func namedSecrets(v any, key string) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			out = append(out, namedSecrets(e, k)...)
		}
	case []any:
		for _, e := range t {
			out = append(out, namedSecrets(e, key)...)
		}
	case string:
		if t != "" && (strings.HasSuffix(key, "xistingSecret") || key == "pullSecrets") {
			out = append(out, t)
		}
	}
	return out
}

// sortedKeys lists a map's keys in order, for a report.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
