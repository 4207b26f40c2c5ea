package controller_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	_ "github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/gateway"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// Names the tests give the operator's surroundings.
const (
	operatorNS  = "rapport-system"
	gatewayNS   = "rapport-gateway"
	adminSecret = "pg-admin"
	waitFor     = 30 * time.Second
)

// world is what every test of the package runs against: a real
// kube-apiserver and etcd, PostgreSQL, an in-process Kafka and the gateway
// binary.
type world struct {
	env     *envtest.Environment
	c       client.Client // straight to the API server, no cache
	scheme  *runtime.Scheme
	pgAdmin string // superuser DSN of the tenants' PostgreSQL server
	brokers []string
	gw      testenv.Gateway
	gwc     *gateway.Client
}

// newWorld starts everything and makes the operator's namespace with the
// admin DSN Secret.
func newWorld(t *testing.T) *world {
	t.Helper()
	ctrl.SetLogger(logr.Discard()) // the tests report the state they wait for
	w := &world{env: testenv.Kube(t), pgAdmin: testkit.Postgres(t).AdminURL, brokers: testkit.Kafka(t)}
	w.gw = testenv.StartGateway(t)
	w.gwc = gateway.New(w.gw.URL, w.gw.Token, 5*time.Second)
	var err error
	if w.scheme, err = controller.NewScheme(); err != nil {
		t.Fatal(err)
	}
	if w.c, err = client.New(w.env.Config, client.Options{Scheme: w.scheme}); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{operatorNS, gatewayNS} {
		w.mustCreate(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	w.putSecret(t, adminSecret, w.pgAdmin)
	return w
}

// putSecret creates or replaces a DSN Secret in the operator's namespace.
func (w *world) putSecret(t *testing.T, name, dsn string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: operatorNS}}
	if _, err := controllerutil.CreateOrUpdate(context.Background(), w.c, s, func() error {
		s.Data = map[string][]byte{"dsn": []byte(dsn)}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// config is the operator configuration of the tests: two services, short
// timeouts and back-off.
func (w *world) config() controller.Config {
	return controller.Config{
		Namespace:               operatorNS,
		Services:                []string{"contacts", "sales"},
		ImageRepository:         "registry.example/rapport",
		Version:                 "1.0.0",
		KafkaBrokers:            w.brokers,
		GatewayURL:              w.gw.URL,
		GatewayToken:            w.gw.Token,
		JWKSURL:                 w.gw.URL + "/.well-known/jwks.json",
		GatewayNamespace:        gatewayNS,
		GatewayPodLabels:        map[string]string{"app.kubernetes.io/name": "gateway"},
		DefaultResources:        controller.DefaultResources(),
		StepTimeout:             5 * time.Second,
		MaxConcurrentReconciles: 4,
		RetryBaseDelay:          100 * time.Millisecond,
		RetryMaxDelay:           2 * time.Second,
	}
}

// startOperator runs a manager with the Tenant controller, configured by
// w.config() and then mutate, until the returned stop is called or the
// test ends. At the end of the test, a manager still running first deletes
// every Tenant and waits until its finalizer let each go, so no test
// leaves anything behind.
func (w *world) startOperator(t *testing.T, mutate func(*controller.Config)) (stop func()) {
	t.Helper()
	return w.startOperatorAs(t, w.env.Config, mutate)
}

// startOperatorAs is startOperator connecting to the API server with
// restConfig.
func (w *world) startOperatorAs(t *testing.T, restConfig *rest.Config, mutate func(*controller.Config)) (stop func()) {
	t.Helper()
	cfg := w.config()
	if mutate != nil {
		mutate(&cfg)
	}
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                 w.scheme,
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Every test starts its own manager in this one process.
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := controller.Setup(mgr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("manager: %v", err)
			}
			if err := r.Close(); err != nil {
				t.Errorf("close reconciler: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			w.removeAll(t)
		}
		stop()
	})
	return stop
}

// removeAll deletes every Tenant and waits until each is gone. One whose
// finalizer never completes fails the test and is released by hand.
func (w *world) removeAll(t *testing.T) {
	t.Helper()
	var list v1alpha1.TenantList
	if err := w.c.List(context.Background(), &list); err != nil {
		t.Errorf("list tenants: %v", err)
		return
	}
	for _, tn := range list.Items {
		w.remove(t, tn.Name)
	}
}

// remove deletes tenant name and waits until it is gone. A Tenant whose
// finalizer never completes fails the test and is released by hand.
func (w *world) remove(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	tn := &v1alpha1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := w.c.Delete(ctx, tn); apierrors.IsNotFound(err) {
		return
	} else if err != nil {
		t.Errorf("delete tenant %s: %v", name, err)
	}
	if w.gone(name, waitFor) {
		return
	}
	t.Errorf("tenant %s still there %s after its deletion", name, waitFor)
	if err := w.c.Get(ctx, client.ObjectKeyFromObject(tn), tn); err == nil {
		tn.Finalizers = nil
		_ = w.c.Update(ctx, tn)
	}
}

// gone waits up to d for tenant name to disappear.
func (w *world) gone(name string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		err := w.c.Get(context.Background(), client.ObjectKey{Name: name}, &v1alpha1.Tenant{})
		if apierrors.IsNotFound(err) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func (w *world) mustCreate(t *testing.T, obj client.Object) {
	t.Helper()
	if err := w.c.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// tenant reads tenant name.
func (w *world) tenant(t *testing.T, name string) *v1alpha1.Tenant {
	t.Helper()
	var tn v1alpha1.Tenant
	if err := w.c.Get(context.Background(), client.ObjectKey{Name: name}, &tn); err != nil {
		t.Fatalf("get tenant %s: %v", name, err)
	}
	return &tn
}

// update reads tenant name, changes it with fn and writes it back,
// retrying on conflicts with the operator's writes.
func (w *world) update(t *testing.T, name string, fn func(*v1alpha1.Tenant)) {
	t.Helper()
	for range 10 {
		tn := w.tenant(t, name)
		fn(tn)
		err := w.c.Update(context.Background(), tn)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			t.Fatalf("update tenant %s: %v", name, err)
		}
	}
	t.Fatalf("update tenant %s: conflicts all along", name)
}

// eventually polls cond every 50 ms until it holds or waitFor passes, and
// then fails the test with what describes the last state.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	var last string
	for time.Now().Before(deadline) {
		var ok bool
		if ok, last = cond(); ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last: %s", what, waitFor, last)
}

// waitPhase waits until tenant name reached phase for its current
// generation, and returns it.
func (w *world) waitPhase(t *testing.T, name string, phase v1alpha1.Phase) *v1alpha1.Tenant {
	t.Helper()
	var tn *v1alpha1.Tenant
	eventually(t, fmt.Sprintf("tenant %s %s", name, phase), func() (bool, string) {
		tn = w.tenant(t, name)
		return tn.Status.Phase == phase && tn.Status.ObservedGeneration == tn.Generation, describe(tn)
	})
	return tn
}

// waitCondition waits until condition typ of tenant name has status and
// reason, and returns the tenant.
func (w *world) waitCondition(t *testing.T, name, typ string, status metav1.ConditionStatus, reason string) *v1alpha1.Tenant {
	t.Helper()
	var tn *v1alpha1.Tenant
	eventually(t, fmt.Sprintf("tenant %s %s=%s (%s)", name, typ, status, reason), func() (bool, string) {
		tn = w.tenant(t, name)
		for _, c := range tn.Status.Conditions {
			if c.Type == typ {
				return c.Status == status && c.Reason == reason, describe(tn)
			}
		}
		return false, describe(tn)
	})
	return tn
}

// describe summarises a tenant's status for failure messages.
func describe(tn *v1alpha1.Tenant) string {
	var b strings.Builder
	fmt.Fprintf(&b, "phase %q generation %d observed %d;", tn.Status.Phase, tn.Generation, tn.Status.ObservedGeneration)
	for _, c := range tn.Status.Conditions {
		fmt.Fprintf(&b, " %s=%s (%s: %s);", c.Type, c.Status, c.Reason, c.Message)
	}
	return b.String()
}

// dedicated is a dedicated tenant on the test server with small topics and
// its databases dropped on deletion; mods change it further.
func dedicated(name string, mods ...func(*v1alpha1.Tenant)) *v1alpha1.Tenant {
	tn := &v1alpha1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.TenantSpec{
			DisplayName: "Tenant " + name,
			Tier:        v1alpha1.TierDedicated,
			Domains:     []string{name + ".crm.example.com"},
			Admin:       v1alpha1.AdminSpec{Email: "ops@" + name + ".example"},
			Database: &v1alpha1.DatabaseSpec{
				Server:         v1alpha1.SecretKeyRef{Name: adminSecret},
				RetainOnDelete: ptr.To(false),
			},
			Kafka: v1alpha1.KafkaSpec{Partitions: 3, ReplicationFactor: 1},
		},
	}
	for _, m := range mods {
		m(tn)
	}
	return tn
}

// shared is a shared-tier tenant.
func shared(name string, mods ...func(*v1alpha1.Tenant)) *v1alpha1.Tenant {
	tn := &v1alpha1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.TenantSpec{
			DisplayName: "Tenant " + name,
			Tier:        v1alpha1.TierShared,
			Domains:     []string{name + ".crm.example.com"},
			Admin:       v1alpha1.AdminSpec{Email: "ops@" + name + ".example"},
		},
	}
	for _, m := range mods {
		m(tn)
	}
	return tn
}

// uniqueName returns prefix plus random hex: tenants of different runs on
// the same PostgreSQL server never share a database name.
func uniqueName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

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
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["controller"] == controller.Name && labels["result"] == result {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

// isNotFound reports whether err says the object does not exist.
func isNotFound(err error) bool {
	return apierrors.IsNotFound(err) || errors.Is(err, gateway.ErrNotFound)
}
