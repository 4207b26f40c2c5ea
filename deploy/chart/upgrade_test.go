package chart

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/kube"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// upgradeNamespace is where the upgrade test installs its release: its own,
// so the dry runs of other tests never meet it.
const upgradeNamespace = "rapport-upgrade"

// TestMigrationJobsAreHooks: every migration Job is a pre-install and
// pre-upgrade hook, deleted before it is created again, and what it uses
// that the chart renders (its ServiceAccount, Secrets, ConfigMaps) is a
// pre-install hook of lower weight, so it exists when the Job starts on a
// first install (regular objects are only created after the hooks).
func TestMigrationJobsAreHooks(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			objs := renderCI(t, name)
			js := jobs(t, objs)
			if len(js) == 0 {
				t.Fatal("no migration Job rendered")
			}
			rendered := map[string]*unstructured.Unstructured{}
			for _, o := range objs {
				rendered[o.GetKind()+"/"+o.GetName()] = o
			}
			for _, j := range js {
				for _, ref := range jobRefs(j) {
					o, ok := rendered[ref]
					if !ok {
						continue // not the chart's: an existingSecret the cluster holds before the install
					}
					if !isHook(o.GetAnnotations()) || hookWeight(t, o.GetAnnotations()) >= hookWeight(t, j.Annotations) {
						t.Errorf("Job %s uses %s, which is not a pre-install hook of lower weight: on the first install it does not exist yet when the Job starts", j.Name, ref)
					}
				}
				events := strings.Split(j.Annotations["helm.sh/hook"], ",")
				if !hasAll(events, "pre-install", "pre-upgrade") {
					t.Errorf("Job %s: helm.sh/hook %q, want pre-install,pre-upgrade", j.Name, j.Annotations["helm.sh/hook"])
				}
				if !hasAll(strings.Split(j.Annotations["helm.sh/hook-delete-policy"], ","), "before-hook-creation") {
					t.Errorf("Job %s: helm.sh/hook-delete-policy %q lacks before-hook-creation", j.Name, j.Annotations["helm.sh/hook-delete-policy"])
				}
			}
		})
	}
}

// jobRefs lists the rendered objects a Job's pod needs, as Kind/name: its
// ServiceAccount, and the Secrets and ConfigMaps of its env and volumes.
func jobRefs(j *batchv1.Job) []string {
	spec := j.Spec.Template.Spec
	var refs []string
	if spec.ServiceAccountName != "" {
		refs = append(refs, "ServiceAccount/"+spec.ServiceAccountName)
	}
	for _, c := range append(spec.InitContainers, spec.Containers...) {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				refs = append(refs, "Secret/"+e.ValueFrom.SecretKeyRef.Name)
			}
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				refs = append(refs, "ConfigMap/"+e.ValueFrom.ConfigMapKeyRef.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				refs = append(refs, "Secret/"+e.SecretRef.Name)
			}
			if e.ConfigMapRef != nil {
				refs = append(refs, "ConfigMap/"+e.ConfigMapRef.Name)
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.Secret != nil {
			refs = append(refs, "Secret/"+v.Secret.SecretName)
		}
		if v.ConfigMap != nil {
			refs = append(refs, "ConfigMap/"+v.ConfigMap.Name)
		}
	}
	return refs
}

// isHook says whether annotations make an object a pre-install hook.
func isHook(annotations map[string]string) bool {
	return hasAll(strings.Split(annotations["helm.sh/hook"], ","), "pre-install")
}

// hookWeight reads helm.sh/hook-weight (0 when unset).
func hookWeight(t *testing.T, annotations map[string]string) int {
	t.Helper()
	w := annotations["helm.sh/hook-weight"]
	if w == "" {
		return 0
	}
	n, err := strconv.Atoi(w)
	if err != nil {
		t.Errorf("helm.sh/hook-weight %q: %v", w, err)
	}
	return n
}

// TestUpgradeWithoutValues installs the previous chart (see previousChart)
// with ci/minimal-values.yaml (dev mode) into envtest, then upgrades to the
// current chart with no values at all, as `helm upgrade rapport
// charts/rapport` does, then rolls back. Helm runs the hooks for real;
// envtest has no job controller, so jobCompleter marks the migration Jobs
// succeeded (no pod runs: the database side is the e2e tests'). It checks
// that the upgrade reuses the release's values, keeps the generated
// secrets byte for byte, runs every program's migration Job before that
// program's Deployment changes, and that the rollback keeps the secrets.
func TestUpgradeWithoutValues(t *testing.T) {
	cfg := charttest.APIServer(t)
	ctx := context.Background()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	current, vals, err := charttest.Load(charttest.ChartDir(t), charttest.ValuesFile(t, "ci/minimal-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	previous := previousChart(t, current)
	programs := migratedPrograms(t)

	var mu sync.Mutex
	imageAtMigration := map[string]string{} // program → its Deployment's image when its migration ran
	completer := completeJobs(t, cfg, upgradeNamespace, func(j *batchv1.Job) {
		program := j.Labels["rapport.dev/program"]
		image := deploymentImage(t, cs, program)
		mu.Lock()
		imageAtMigration[program] = image
		mu.Unlock()
	})
	ac := helmConfig(t, cfg, upgradeNamespace)

	install := action.NewInstall(ac)
	install.ReleaseName = charttest.ReleaseName
	install.Namespace = upgradeNamespace
	install.CreateNamespace = true
	install.TakeOwnership = true // the Tenant CRD envtest already holds
	install.WaitStrategy = kube.HookOnlyStrategy
	install.Timeout = time.Minute
	if _, err := install.RunWithContext(ctx, previous, vals); err != nil {
		t.Fatalf("install the previous chart %s (appVersion %s): %v", previous.Metadata.Version, previous.Metadata.AppVersion, err)
	}
	checkMigrated(t, "install", completer.completed(), programs)
	before := secretData(t, cs)
	if len(before) == 0 {
		t.Fatal("dev mode generated no Secret")
	}

	upgrade := action.NewUpgrade(ac)
	upgrade.Namespace = upgradeNamespace
	upgrade.WaitStrategy = kube.HookOnlyStrategy
	upgrade.Timeout = time.Minute
	if _, err := upgrade.RunWithContext(ctx, charttest.ReleaseName, current, map[string]any{}); err != nil {
		t.Fatalf("upgrade to the current chart with no values: %v", err)
	}
	checkMigrated(t, "upgrade", completer.completed(), programs)
	oldImage := "/%s:" + previous.Metadata.AppVersion
	mu.Lock()
	for _, p := range programs {
		if !strings.HasSuffix(imageAtMigration[p], strings.Replace(oldImage, "%s", p, 1)) {
			t.Errorf("program %s: its migration ran when its Deployment's image was %q, want the previous %s (migrations before new pods)",
				p, imageAtMigration[p], previous.Metadata.AppVersion)
		}
	}
	mu.Unlock()
	for _, p := range programs {
		if img := deploymentImage(t, cs, p); !strings.HasSuffix(img, ":"+current.Metadata.AppVersion) {
			t.Errorf("after the upgrade Deployment %s runs %q, want appVersion %s", p, img, current.Metadata.AppVersion)
		}
	}
	compareSecrets(t, "the upgrade with no values", before, secretData(t, cs))

	rollback := action.NewRollback(ac)
	rollback.Version = 1
	rollback.WaitStrategy = kube.HookOnlyStrategy
	rollback.Timeout = time.Minute
	if err := rollback.Run(charttest.ReleaseName); err != nil {
		t.Fatalf("rollback to revision 1: %v", err)
	}
	compareSecrets(t, "the rollback", before, secretData(t, cs))
	for _, p := range programs {
		if img := deploymentImage(t, cs, p); !strings.HasSuffix(img, ":"+previous.Metadata.AppVersion) {
			t.Errorf("after the rollback Deployment %s runs %q, want appVersion %s", p, img, previous.Metadata.AppVersion)
		}
	}
}

// previousChart returns the chart to upgrade from: the release before the
// latest in CHANGELOG.md, taken from its git tag (`chart-rapport-<version>`,
// the tags the CHANGELOG's links name) with `git archive`. While the
// CHANGELOG holds a single release (0.1.0, the first) there is none, and
// the baseline is the current chart as an older release would be: version
// and appVersion 0.0.0, so the upgrade still changes every image.
func previousChart(t *testing.T, current *chart.Chart) *chart.Chart {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(charttest.ChartDir(t), "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	versions := releaseHeading.FindAllStringSubmatch(string(data), 2)
	if len(versions) < 2 {
		prev, err := loader.Load(charttest.ChartDir(t))
		if err != nil {
			t.Fatal(err)
		}
		prev.Metadata.Version = "0.0.0"
		prev.Metadata.AppVersion = "0.0.0"
		return prev
	}
	tag := "chart-rapport-" + versions[1][1]
	dir := t.TempDir()
	archive := exec.Command("sh", "-c", `git archive --format=tar "$1" charts/rapport | tar -x -C "$2"`, "sh", tag, dir)
	archive.Dir = charttest.RepoRoot(t)
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("the previous chart %s (tag %s): %v\n%s", versions[1][1], tag, err, out)
	}
	prev, err := loader.Load(filepath.Join(dir, "charts", "rapport"))
	if err != nil {
		t.Fatal(err)
	}
	if prev.Metadata.Version == current.Metadata.Version {
		t.Fatalf("tag %s holds chart version %s, the current one", tag, prev.Metadata.Version)
	}
	return prev
}

// migratedPrograms lists the programs with a migration Job in the minimal
// render.
func migratedPrograms(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, j := range jobs(t, renderCI(t, "ci/minimal-values.yaml")) {
		out = append(out, j.Labels["rapport.dev/program"])
	}
	return out
}

// checkMigrated reports the programs whose migration Job did not run.
func checkMigrated(t *testing.T, step string, ran map[string]bool, programs []string) {
	t.Helper()
	for _, p := range programs {
		found := false
		for name := range ran {
			found = found || strings.HasSuffix(name, "-"+p+"-migrate")
		}
		if !found {
			t.Errorf("%s: the migration Job of %s did not run (ran: %v)", step, p, ran)
		}
	}
}

// deploymentImage returns the first container image of program's
// Deployment in upgradeNamespace; empty when there is none yet.
func deploymentImage(t *testing.T, cs kubernetes.Interface, program string) string {
	list, err := cs.AppsV1().Deployments(upgradeNamespace).List(context.Background(), metav1.ListOptions{
		LabelSelector: "app.kubernetes.io/name=" + program,
	})
	if err != nil {
		t.Errorf("list the Deployments of %s: %v", program, err)
		return ""
	}
	if len(list.Items) == 0 {
		return ""
	}
	return list.Items[0].Spec.Template.Spec.Containers[0].Image
}

// secretData returns the data of every Secret in upgradeNamespace but
// Helm's release records.
func secretData(t *testing.T, cs kubernetes.Interface) map[string]map[string][]byte {
	t.Helper()
	list, err := cs.CoreV1().Secrets(upgradeNamespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]byte{}
	for _, s := range list.Items {
		if s.Type != "helm.sh/release.v1" {
			out[s.Name] = s.Data
		}
	}
	return out
}

// compareSecrets reports each Secret or key that changed from before to after.
func compareSecrets(t *testing.T, step string, before, after map[string]map[string][]byte) {
	t.Helper()
	for name, data := range before {
		got, ok := after[name]
		if !ok {
			t.Errorf("%s deleted Secret %s", step, name)
			continue
		}
		if !maps.EqualFunc(data, got, func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Errorf("%s changed Secret %s (keys %v → %v)", step, name, slicesKeys(data), slicesKeys(got))
		}
	}
}

// slicesKeys lists a Secret's keys, for a report without the values.
func slicesKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// hasAll says whether list holds every one of want.
func hasAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || strings.TrimSpace(l) == w
		}
		if !found {
			return false
		}
	}
	return true
}
