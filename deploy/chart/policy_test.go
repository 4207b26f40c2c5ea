package chart

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
)

// Shutdown timeouts of the programs that do not take theirs from the
// environment.
const (
	// gatewayShutdownDefault is the gateway's GATEWAY_SHUTDOWN_TIMEOUT when
	// unset (services/gateway/cmd/gateway/config.go).
	gatewayShutdownDefault = 20 * time.Second
	// operatorShutdown is controller-runtime's default graceful shutdown of a
	// manager, which operator/cmd keeps.
	operatorShutdown = 30 * time.Second
)

// TestPodSecurity: every pod template the chart renders (Deployments and the
// migration Jobs), in every ci values file, runs as non-root with a
// read-only root filesystem, no privilege escalation, every capability
// dropped and the RuntimeDefault seccomp profile.
func TestPodSecurity(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			pods := podTemplates(t, renderCI(t, name))
			if len(pods) == 0 {
				t.Fatal("no pod template rendered")
			}
			for _, p := range pods {
				for _, problem := range podSecurityProblems(p) {
					t.Error(problem)
				}
			}
		})
	}
}

// podSecurityProblems lists each security setting p lacks.
func podSecurityProblems(p podTemplate) []string {
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	psc := p.spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	for _, c := range append(p.spec.InitContainers, p.spec.Containers...) {
		where := p.kind + " " + p.name + " container " + c.Name
		sc := c.SecurityContext
		if sc == nil {
			sc = &corev1.SecurityContext{}
		}
		if !isTrue(sc.RunAsNonRoot) && !isTrue(psc.RunAsNonRoot) {
			report("%s: runAsNonRoot is not true", where)
		}
		if sc.RunAsUser != nil && *sc.RunAsUser == 0 || sc.RunAsUser == nil && psc.RunAsUser != nil && *psc.RunAsUser == 0 {
			report("%s: runs as user 0", where)
		}
		if !isTrue(sc.ReadOnlyRootFilesystem) {
			report("%s: readOnlyRootFilesystem is not true", where)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			report("%s: allowPrivilegeEscalation is not false", where)
		}
		if isTrue(sc.Privileged) {
			report("%s: privileged", where)
		}
		if sc.Capabilities == nil || !dropsAll(sc.Capabilities.Drop) {
			report("%s: capabilities do not drop ALL", where)
		} else if len(sc.Capabilities.Add) > 0 {
			report("%s: adds capabilities %v", where, sc.Capabilities.Add)
		}
		seccomp := sc.SeccompProfile
		if seccomp == nil {
			seccomp = psc.SeccompProfile
		}
		if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
			report("%s: seccomp profile is not RuntimeDefault", where)
		}
	}
	return problems
}

// TestProbesAndTermination: every Deployment's containers have a liveness
// probe on /healthz and a readiness probe on /readyz, and its pods'
// terminationGracePeriodSeconds exceeds the program's shutdown timeout
// (libs/starter.ShutdownTimeout for a service, GATEWAY_SHUTDOWN_TIMEOUT for
// the gateway, controller-runtime's 30 s for the operator).
func TestProbesAndTermination(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			for _, d := range deployments(t, renderCI(t, name)) {
				spec := d.Spec.Template.Spec
				for _, c := range spec.Containers {
					if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
						t.Errorf("Deployment %s container %s: no liveness probe on GET /healthz", d.Name, c.Name)
					}
					if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
						t.Errorf("Deployment %s container %s: no readiness probe on GET /readyz", d.Name, c.Name)
					}
				}
				shutdown, ok := shutdownTimeout(t, d.Labels[componentLabel], spec)
				if !ok {
					t.Errorf("Deployment %s: no known shutdown timeout for program %q", d.Name, d.Labels[componentLabel])
					continue
				}
				grace := time.Duration(0)
				if spec.TerminationGracePeriodSeconds != nil {
					grace = time.Duration(*spec.TerminationGracePeriodSeconds) * time.Second
				}
				if grace <= shutdown {
					t.Errorf("Deployment %s: terminationGracePeriodSeconds %v does not exceed the program's shutdown timeout %v", d.Name, grace, shutdown)
				}
			}
		})
	}
}

// shutdownTimeout is how long program takes at most to stop gracefully.
func shutdownTimeout(t *testing.T, program string, spec corev1.PodSpec) (time.Duration, bool) {
	t.Helper()
	switch {
	case program == registry.Gateway:
		for _, c := range spec.Containers {
			for _, e := range c.Env {
				if e.Name != "GATEWAY_SHUTDOWN_TIMEOUT" {
					continue
				}
				d, err := time.ParseDuration(e.Value)
				if err != nil {
					t.Errorf("GATEWAY_SHUTDOWN_TIMEOUT %q: %v", e.Value, err)
				}
				return d, true
			}
		}
		return gatewayShutdownDefault, true
	case program == "operator":
		return operatorShutdown, true
	}
	_, ok := registry.Default().Built().Domain().Lookup(program)
	return starter.ShutdownTimeout, ok
}

// TestNoOwnerDSNInDeployments: the owner DSN (DATABASE_MIGRATE_URL) is given
// only to the migration Jobs, never to a Deployment; each migration Job
// runs `<program> migrate` with it.
func TestNoOwnerDSNInDeployments(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			objs := renderCI(t, name)
			for _, d := range deployments(t, objs) {
				for _, c := range append(d.Spec.Template.Spec.InitContainers, d.Spec.Template.Spec.Containers...) {
					for _, e := range c.Env {
						if e.Name == "DATABASE_MIGRATE_URL" {
							t.Errorf("Deployment %s container %s carries DATABASE_MIGRATE_URL", d.Name, c.Name)
						}
					}
					for _, ef := range c.EnvFrom {
						t.Errorf("Deployment %s container %s takes envFrom %+v: it could carry DATABASE_MIGRATE_URL", d.Name, c.Name, ef)
					}
				}
			}
			for _, j := range jobs(t, objs) {
				c := j.Spec.Template.Spec.Containers[0]
				if strings.Join(append(c.Command, c.Args...), " ") != "migrate" {
					t.Errorf("Job %s runs %v %v, want the image's entrypoint with `migrate`", j.Name, c.Command, c.Args)
				}
				if !hasEnv(c, "DATABASE_MIGRATE_URL") || !hasEnv(c, "DATABASE_URL") {
					t.Errorf("Job %s: wants DATABASE_MIGRATE_URL and DATABASE_URL", j.Name)
				}
			}
		})
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// dropsAll says whether caps holds ALL.
func dropsAll(caps []corev1.Capability) bool {
	for _, c := range caps {
		if c == "ALL" {
			return true
		}
	}
	return false
}

// hasEnv says whether c sets the variable name.
func hasEnv(c corev1.Container, name string) bool {
	for _, e := range c.Env {
		if e.Name == name {
			return true
		}
	}
	return false
}
