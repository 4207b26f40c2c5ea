package chart

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestPodSecurityProblems: the policy's checker reports each setting a
// bare container lacks, and nothing for one that has them all, so
// TestPodSecurity passing means the chart sets them.
func TestPodSecurityProblems(t *testing.T) {
	bare := podTemplate{kind: "Deployment", name: "x", spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}}
	got := strings.Join(podSecurityProblems(bare), "\n")
	for _, want := range []string{"runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "drop ALL", "RuntimeDefault"} {
		if !strings.Contains(got, want) {
			t.Errorf("a bare container: no problem naming %s in\n%s", want, got)
		}
	}
	yes, no := true, false
	good := bare
	good.spec = corev1.PodSpec{Containers: []corev1.Container{{Name: "c", SecurityContext: &corev1.SecurityContext{
		RunAsNonRoot: &yes, ReadOnlyRootFilesystem: &yes, AllowPrivilegeEscalation: &no,
		Capabilities:   &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}}}}
	if p := podSecurityProblems(good); len(p) > 0 {
		t.Errorf("a hardened container: %v", p)
	}
}
