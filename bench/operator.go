package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/twmb/franz-go/pkg/kfake"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// Sizes and goals of the operator run (issue 5).
const (
	operatorTenants = 100
	// operatorConcurrency is the operator's default MAX_CONCURRENT_RECONCILES,
	// which the run leaves unset.
	operatorConcurrency = 8
	operatorKafka       = 3 // brokers, so the CRD's default replication factor 3 holds
	goalOneTenant       = 5 * time.Second
	goalManyTenants     = 60 * time.Second
	operatorWaitLimit   = 5 * time.Minute
)

// operatorRun holds the results of part 6.
type operatorRun struct {
	One       time.Duration // `kubectl apply` of one dedicated tenant → Ready
	OneApply  time.Duration // of which the `kubectl apply` itself
	Many      time.Duration // `kubectl apply` of operatorTenants → the last Ready
	ManyApply time.Duration // of which the `kubectl apply` itself
	// ManyP50 and ManyP99 are the tenants' own times from the apply to
	// Ready.
	ManyP50, ManyP99 time.Duration
	Delete           time.Duration // `kubectl delete tenants --all` until every finalizer ran
}

// tenantsGVR is the Tenant resource.
var tenantsGVR = schema.GroupVersionResource{Group: "crm.rapport.dev", Version: "v1alpha1", Resource: "tenants"}

// measureOperator starts a kube-apiserver and etcd (envtest, from `make
// tools`), an in-process Kafka, the gateway and the operator binary with its
// default concurrency, and times dedicated tenants from `kubectl apply` to
// Ready: one alone, then operatorTenants at once, then their deletion.
func measureOperator(ctx context.Context, root string) (res operatorRun, err error) {
	// envtest logs through controller-runtime; the bench prints only its report.
	ctrllog.SetLogger(logr.Discard())
	dir, err := os.MkdirTemp("", "rapport-bench-operator-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	var cleanup []func()
	defer func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}()
	gw, err := buildBinary(ctx, root, dir, "./services/gateway/cmd/gateway")
	if err != nil {
		return res, err
	}
	op, err := buildBinary(ctx, root, dir, "./operator/cmd")
	if err != nil {
		return res, err
	}

	env := &envtest.Environment{
		BinaryAssetsDirectory: filepath.Join(testkit.ToolsDir(), "envtest"),
		CRDDirectoryPaths:     []string{filepath.Join(root, "operator", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return res, fmt.Errorf("envtest (run `make tools`): %w", err)
	}
	cleanup = append(cleanup, func() { env.Stop() }) //nolint:errcheck // best effort
	user, err := env.AddUser(envtest.User{Name: "bench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return res, err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return res, err
	}
	kc := kubectl{config: filepath.Join(dir, "kubeconfig")}
	if err := os.WriteFile(kc.config, kubeconfig, 0o600); err != nil {
		return res, err
	}

	cluster, err := kfake.NewCluster(kfake.NumBrokers(operatorKafka))
	if err != nil {
		return res, err
	}
	cleanup = append(cleanup, cluster.Close)
	gdb, err := newScratchDB(ctx, serverURL())
	if err != nil {
		return res, err
	}
	cleanup = append(cleanup, func() { gdb.Drop() }) //nolint:errcheck // best effort
	gAddr, err := proc.FreeAddr()
	if err != nil {
		return res, err
	}
	mAddr, err := proc.FreeAddr()
	if err != nil {
		return res, err
	}
	gateway, platform := "http://"+gAddr, randomHex(24)
	dataKey, _ := hex.DecodeString(randomHex(32))
	stop, err := gw.start(ctx, gateway, []string{"LOG_LEVEL=error",
		"DATABASE_URL=" + gdb.AppURL, "DATABASE_MIGRATE_URL=" + gdb.AdminURL,
		"GATEWAY_ADDR=" + gAddr, "GATEWAY_METRICS_ADDR=" + mAddr, "GATEWAY_PUBLIC_URL=" + gateway,
		"GATEWAY_DATA_KEY=" + base64.StdEncoding.EncodeToString(dataKey),
		"GATEWAY_PLATFORM_TOKEN=" + platform, "STATIC_UPSTREAMS=contacts=127.0.0.1:1"})
	if err != nil {
		return res, err
	}
	cleanup = append(cleanup, stop)

	if _, err := kc.run(ctx, nil, "create", "namespace", "rapport-system"); err != nil {
		return res, err
	}
	if _, err := kc.run(ctx, nil, "-n", "rapport-system", "create", "secret", "generic", "pg-admin", "--from-literal=dsn="+serverURL()); err != nil {
		return res, err
	}
	hAddr, err := proc.FreeAddr()
	if err != nil {
		return res, err
	}
	stop, err = op.start(ctx, "http://"+hAddr, []string{"LOG_LEVEL=error",
		"KUBECONFIG=" + kc.config, "LEADER_ELECT=false", "METRICS_ADDR=0", "HEALTH_ADDR=" + hAddr,
		"OPERATOR_NAMESPACE=rapport-system", "RAPPORT_VERSION=bench",
		"KAFKA_BROKERS=" + strings.Join(cluster.ListenAddrs(), ","),
		"GATEWAY_URL=" + gateway, "GATEWAY_PLATFORM_TOKEN=" + platform})
	if err != nil {
		return res, err
	}
	cleanup = append(cleanup, stop)
	// Whatever happens, the operator drops the tenants' databases before it
	// stops (cleanup runs last in, first out).
	cleanup = append(cleanup, func() {
		ctx, cancel := context.WithTimeout(context.Background(), operatorWaitLimit)
		defer cancel()
		kc.run(ctx, nil, "delete", "tenants", "--all", "--wait=true") //nolint:errcheck // best effort
	})

	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return res, err
	}
	ready := newReadiness()
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go ready.watch(wctx, dyn)

	run := randomHex(2)
	solo := "solo-" + run
	began := time.Now()
	if _, err := kc.run(ctx, tenantsYAML([]string{solo}), "apply", "-f", "-"); err != nil {
		return res, err
	}
	res.OneApply = time.Since(began)
	if err := ready.await(ctx, []string{solo}, operatorWaitLimit); err != nil {
		return res, err
	}
	res.One = ready.at(solo).Sub(began)

	names := make([]string, operatorTenants)
	for i := range names {
		names[i] = fmt.Sprintf("t%s-%03d", run, i)
	}
	began = time.Now()
	if _, err := kc.run(ctx, tenantsYAML(names), "apply", "-f", "-"); err != nil {
		return res, err
	}
	res.ManyApply = time.Since(began)
	if err := ready.await(ctx, names, operatorWaitLimit); err != nil {
		return res, err
	}
	took := make([]time.Duration, len(names))
	for i, n := range names {
		took[i] = ready.at(n).Sub(began)
	}
	slices.Sort(took)
	res.Many, res.ManyP50, res.ManyP99 = took[len(took)-1], quantile(took, 0.50), quantile(took, 0.99)

	began = time.Now()
	if _, err := kc.run(ctx, nil, "delete", "tenants", "--all", "--wait=true", "--timeout="+operatorWaitLimit.String()); err != nil {
		return res, err
	}
	res.Delete = time.Since(began)
	return res, nil
}

// tenantsYAML is one dedicated Tenant per name, as a platform team writes
// it: the CRD's defaults for replicas, topics and retention aside from
// retainOnDelete, which is off so the run leaves no database behind.
func tenantsYAML(names []string) io.Reader {
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, `---
apiVersion: crm.rapport.dev/v1alpha1
kind: Tenant
metadata:
  name: %[1]s
spec:
  displayName: Bench %[1]s
  tier: dedicated
  domains: [%[1]s.bench.example.com]
  admin: {email: ops@%[1]s.bench.example}
  database: {server: {name: pg-admin}, retainOnDelete: false}
`, n)
	}
	return &b
}

// kubectl runs kubectl against the bench's API server.
type kubectl struct{ config string }

func (k kubectl) run(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", k.config}, args...)...)
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return out, nil
}

// readiness records when each Tenant was first seen Ready for its current
// generation.
type readiness struct {
	mu      sync.Mutex
	readyAt map[string]time.Time
	changed chan struct{}
}

func newReadiness() *readiness {
	return &readiness{readyAt: map[string]time.Time{}, changed: make(chan struct{}, 1)}
}

// watch follows the Tenants until ctx ends, re-listing when a watch closes.
func (r *readiness) watch(ctx context.Context, dyn dynamic.Interface) {
	for ctx.Err() == nil {
		list, err := dyn.Resource(tenantsGVR).List(ctx, metav1.ListOptions{})
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		for i := range list.Items {
			r.see(&list.Items[i])
		}
		w, err := dyn.Resource(tenantsGVR).Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion()})
		if err != nil {
			continue
		}
		for ev := range w.ResultChan() {
			if u, ok := ev.Object.(*unstructured.Unstructured); ok && (ev.Type == watch.Added || ev.Type == watch.Modified) {
				r.see(u)
			}
		}
		w.Stop()
	}
}

// see records u's readiness.
func (r *readiness) see(u *unstructured.Unstructured) {
	phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	if phase != "Ready" || observed != u.GetGeneration() {
		return
	}
	r.mu.Lock()
	if _, ok := r.readyAt[u.GetName()]; !ok {
		r.readyAt[u.GetName()] = time.Now()
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// at returns when name was first seen Ready.
func (r *readiness) at(name string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readyAt[name]
}

// await waits until every one of names was seen Ready, or limit passed.
func (r *readiness) await(ctx context.Context, names []string, limit time.Duration) error {
	deadline := time.After(limit)
	for {
		r.mu.Lock()
		left := 0
		for _, n := range names {
			if _, ok := r.readyAt[n]; !ok {
				left++
			}
		}
		r.mu.Unlock()
		if left == 0 {
			return nil
		}
		select {
		case <-r.changed:
		case <-deadline:
			return fmt.Errorf("%d of %d tenants not Ready after %s", left, len(names), limit)
		case <-ctx.Done():
			return errors.Join(ctx.Err(), fmt.Errorf("%d of %d tenants not Ready", left, len(names)))
		}
	}
}

// runOperatorOnly measures part 6 alone and prints its section; results.md
// is left as it is.
func runOperatorOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureOperator(ctx, root)
	if err != nil {
		return err
	}
	writeOperatorSection(os.Stdout, r)
	return nil
}

// writeOperatorSection renders part 6 of bench/results.md.
func writeOperatorSection(w io.Writer, r operatorRun) {
	fmt.Fprintf(w, "## 6. Operator: tenants from `kubectl apply` to Ready\n\n")
	fmt.Fprintf(w, "The real `operator/cmd` binary with its default configuration (`MAX_CONCURRENT_RECONCILES` %d, services: contacts) against a kube-apiserver and etcd started by envtest (the binaries of `make tools`), the local PostgreSQL, an in-process Kafka of %d brokers and the real gateway binary. Each Tenant is dedicated, written as a platform team would (the CRD's defaults: 2 replicas, 6 partitions, replication factor 3): its namespace, a database with two roles and their Secret, two topics, six workload objects and its gateway record with the first administrator's invitation. Ready is the `Ready` phase for the current generation, seen through a watch; envtest runs no kubelet, so it means every object applied and every external step done, not pods running (operator/README.md).\n\n",
		operatorConcurrency, operatorKafka)
	fmt.Fprintf(w, "| measurement | time | goal |\n|---|---:|---|\n")
	fmt.Fprintf(w, "| one tenant, `kubectl apply` → Ready (of which `kubectl apply` %s) | %s | ≤ %s %s |\n", ms(r.OneApply), ms(r.One), goalOneTenant, verdict(r.One <= goalOneTenant))
	fmt.Fprintf(w, "| %d tenants in one `kubectl apply` → the last Ready (of which `kubectl apply` %s) | %s | ≤ %s %s |\n", operatorTenants, ms(r.ManyApply), ms(r.Many), goalManyTenants, verdict(r.Many <= goalManyTenants))
	fmt.Fprintf(w, "| the same, each tenant's own time to Ready p50 / p99 | %s / %s | — |\n", ms(r.ManyP50), ms(r.ManyP99))
	fmt.Fprintf(w, "| `kubectl delete tenants --all` of the %d → every finalizer done (databases dropped, topics and gateway records deleted) | %s | — |\n\n", operatorTenants, ms(r.Delete))
	fmt.Fprintf(w, "For scale: a published multi-tenant control-plane operator needs about 7.5 minutes for 100 tenants (issue 5).\n\n")
}
