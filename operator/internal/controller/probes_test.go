package controller_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
)

// databaseExists reports whether database name exists on the test server.
func (w *world) databaseExists(t *testing.T, name string) bool {
	t.Helper()
	db := testkit.Open(t, w.pgAdmin)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// roleExists reports whether role name exists on the test server.
func (w *world) roleExists(t *testing.T, name string) bool {
	t.Helper()
	db := testkit.Open(t, w.pgAdmin)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_roles WHERE rolname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// dropDatabase removes a database and its roles a test kept on purpose.
func (w *world) dropDatabase(t *testing.T, name string) {
	t.Helper()
	db := testkit.Open(t, w.pgAdmin)
	for _, q := range []string{
		`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`,
		`DROP ROLE IF EXISTS "` + name + `_owner", "` + name + `_app"`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// connect opens and pings url.
func connect(url string) error {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Ping()
}

// partitions returns the partitions of each of topics that exists.
func (w *world) partitions(t *testing.T, topics ...string) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(w.brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	details, err := kadm.NewClient(cl).ListTopics(context.Background(), topics...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for name, d := range details {
		if d.Err == nil {
			out[name] = len(d.Partitions)
		}
	}
	return out
}

// eventReasons lists the reasons of the Events about tenant name.
func (w *world) eventReasons(t *testing.T, name string) []string {
	t.Helper()
	var list eventsv1.EventList
	if err := w.c.List(context.Background(), &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Kind == "Tenant" && e.Regarding.Name == name {
			out = append(out, e.Reason)
		}
	}
	return out
}

// reconciles returns the controller's count of reconciles ending in result
// ("success" or "error"), over every manager this process ran.
func reconciles(t *testing.T, result string) float64 {
	t.Helper()
	return metric(t, "controller_runtime_reconcile_total", map[string]string{"controller": controller.Name, "result": result})
}

// queueDepth is the depth of the Tenant work queue, over every manager this
// process ran: one stopped with Tenants queued leaves them counted.
func queueDepth(t *testing.T) float64 {
	t.Helper()
	return metric(t, "workqueue_depth", map[string]string{"name": controller.Name})
}

// idle reports whether the running operator has no Tenant queued (the
// queue is back at depth, what stopped managers left) and no reconcile under
// way.
func idle(t *testing.T, depth float64) bool {
	t.Helper()
	return queueDepth(t) == depth &&
		metric(t, "controller_runtime_active_workers", map[string]string{"controller": controller.Name}) == 0
}

// metric sums the values of the series of metric family name that carry
// labels, from controller-runtime's registry.
func metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue series
				}
			}
			n += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return n
}

// isNotFound reports whether err says the object does not exist.
func isNotFound(err error) bool {
	return apierrors.IsNotFound(err) || errors.Is(err, gatewayadmin.ErrNotFound)
}

// kubectl runs kubectl against the test API server as a cluster admin.
func (w *world) kubectl(t *testing.T, args ...string) string {
	t.Helper()
	user, err := w.env.AddUser(envtest.User{Name: "kubectl", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", path}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// get reads the object name in namespace ns.
func (w *world) get(t *testing.T, ns, name string, obj client.Object) {
	t.Helper()
	if err := w.c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
		t.Fatalf("get %T %s/%s: %v", obj, ns, name, err)
	}
}

// databaseSecret reads the database Secret of service svc of tenant.
func (w *world) databaseSecret(t *testing.T, tenant, svc string) *corev1.Secret {
	t.Helper()
	var s corev1.Secret
	w.get(t, controller.Namespace(tenant), controller.DatabaseSecret(svc), &s)
	return &s
}

func findCondition(tn *v1alpha1.Tenant, typ string) *metav1.Condition {
	for i := range tn.Status.Conditions {
		if tn.Status.Conditions[i].Type == typ {
			return &tn.Status.Conditions[i]
		}
	}
	return nil
}

// ownedBy reports whether tn is obj's controlling owner.
func ownedBy(obj client.Object, tn *v1alpha1.Tenant) bool {
	ref := metav1.GetControllerOf(obj)
	return ref != nil && ref.UID == tn.UID && ref.Kind == "Tenant"
}

// withDatabase rewrites a DSN to another database.
func withDatabase(t *testing.T, dsn, db string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	return u.String()
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// metaItems returns the items of a typed list as client.Objects.
func metaItems(l client.ObjectList) ([]client.Object, error) {
	objs, err := apimeta.ExtractList(l)
	if err != nil {
		return nil, err
	}
	out := make([]client.Object, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(client.Object))
	}
	return out, nil
}
