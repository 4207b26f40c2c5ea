package controller_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	_ "github.com/lib/pq" // the tests' PostgreSQL driver

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/internal/controller"
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
// binary, started once by TestMain (w).
type world struct {
	env     *envtest.Environment
	c       client.Client // straight to the API server, no cache
	scheme  *runtime.Scheme
	pgAdmin string // superuser DSN of the tenants' PostgreSQL server
	brokers []string
	gw      *testenv.Gateway
	gwc     *gatewayadmin.Client
}

// w is the world, shared by every test; each test starts its own operator
// and makes its own tenants.
var w *world

func TestMain(m *testing.M) {
	ctrl.SetLogger(logr.Discard()) // the tests report the state they wait for
	os.Exit(runTests(m))
}

// runTests starts the world, runs the tests, shows the gateway's log if one
// failed, and stops the world.
func runTests(m *testing.M) (code int) {
	var stop func() error
	var err error
	if w, stop, err = newWorld(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "controller tests:", err)
		return 1
	}
	defer func() {
		if err := stop(); err != nil {
			fmt.Fprintln(os.Stderr, "controller tests: stop:", err)
			code = max(code, 1)
		}
	}()
	if code = m.Run(); code != 0 {
		fmt.Fprintf(os.Stderr, "gateway log:\n%s\n", w.gw.Log())
	}
	return code
}

// newWorld starts everything and makes the operator's namespace with the
// admin DSN Secret; stop undoes it all, also when newWorld fails half-way.
func newWorld(ctx context.Context) (_ *world, stop func() error, err error) {
	var undo []func() error
	stop = func() error {
		var errs []error
		for i := len(undo) - 1; i >= 0; i-- {
			errs = append(errs, undo[i]())
		}
		return errors.Join(errs...)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, stop())
		}
	}()
	w := &world{}
	if w.env, err = testenv.NewKube(); err != nil {
		return nil, nil, err
	}
	undo = append(undo, w.env.Stop)
	db, drop, err := testkit.NewPostgres()
	if err != nil {
		return nil, nil, err
	}
	undo = append(undo, drop)
	w.pgAdmin = db.AdminURL
	kafka, err := testkit.NewKafka()
	if err != nil {
		return nil, nil, err
	}
	undo = append(undo, func() error { kafka.Close(); return nil })
	w.brokers = kafka.ListenAddrs()
	if w.gw, err = testenv.NewGateway(ctx); err != nil {
		return nil, nil, err
	}
	undo = append(undo, w.gw.Close)
	w.gwc = gatewayadmin.New(w.gw.URL, w.gw.Token, 5*time.Second)
	if w.scheme, err = controller.NewScheme(); err != nil {
		return nil, nil, err
	}
	if w.c, err = client.New(w.env.Config, client.Options{Scheme: w.scheme}); err != nil {
		return nil, nil, err
	}
	for _, ns := range []string{operatorNS, gatewayNS} {
		if err := w.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			return nil, nil, fmt.Errorf("create namespace %s: %w", ns, err)
		}
	}
	if err := w.writeSecret(ctx, adminSecret, w.pgAdmin); err != nil {
		return nil, nil, err
	}
	return w, stop, nil
}

// putSecret creates or replaces a DSN Secret in the operator's namespace.
func (w *world) putSecret(t *testing.T, name, dsn string) {
	t.Helper()
	if err := w.writeSecret(context.Background(), name, dsn); err != nil {
		t.Fatal(err)
	}
}

// writeSecret is putSecret returning its error.
func (w *world) writeSecret(ctx context.Context, name, dsn string) error {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: operatorNS}}
	_, err := controllerutil.CreateOrUpdate(ctx, w.c, s, func() error {
		s.Data = map[string][]byte{"dsn": []byte(dsn)}
		return nil
	})
	return err
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
