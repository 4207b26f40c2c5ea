package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/twmb/franz-go/pkg/kfake"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// Sizes and goals of the operator run (issues 5 and 17).
const (
	// operatorConcurrency is the operator's default MAX_CONCURRENT_RECONCILES,
	// which the run leaves unset.
	operatorConcurrency = 8
	// operatorPool is the most connections the operator opens per admin DSN
	// (operator/internal/postgres: SetMaxOpenConns(4), SetMaxIdleConns(2)).
	operatorPool  = 4
	operatorKafka = 3 // brokers, so the CRD's default replication factor 3 holds
	// operatorServiceRange is the API server's Service IP range: room for
	// 65,534 Services, a ClusterIP for each service of each tenant.
	operatorServiceRange = "10.0.0.0/16"
	goalOneTenant        = 5 * time.Second
	goalManyTenants      = 60 * time.Second
)

// operatorTenants is how many dedicated tenants part 6 applies at once
// (-operator-tenants).
var operatorTenants = 1000

func init() {
	flag.IntVar(&operatorTenants, "operator-tenants", operatorTenants, "dedicated tenants part 6 (operator) applies in one `kubectl apply`")
}

// operatorWaitLimit bounds the wait for n tenants to be Ready or deleted.
func operatorWaitLimit(n int) time.Duration { return 5*time.Minute + time.Duration(n)*time.Second }

// operatorRun holds the results of part 6.
type operatorRun struct {
	Tenants   int           // applied at once
	Services  []string      // the operator's TENANT_SERVICES (its default: every built service)
	Topics    int           // per tenant
	One       time.Duration // `kubectl apply` of one dedicated tenant → Ready
	OneApply  time.Duration // of which the `kubectl apply` itself
	Many      time.Duration // `kubectl apply` of Tenants → the last Ready
	ManyApply time.Duration // of which the `kubectl apply` itself
	// ManyP50 and ManyP99 are the tenants' own times from the apply to
	// Ready.
	ManyP50, ManyP99 time.Duration
	Delete           time.Duration // `kubectl delete tenants --all` until every finalizer ran
	// Create and Teardown are what provisioning the many tenants and
	// deleting every tenant cost beside their time.
	Create, Teardown phaseCost
	PeakRSS          uint64 // the operator's VmHWM at the end, bytes
	DataBytes        int64  // the tenants' databases on disk at the last Ready
	Databases        int    // of the run, at the last Ready
	Left             int    // databases and roles of the run left after the delete
}

// tenantsGVR is the Tenant resource.
var tenantsGVR = schema.GroupVersionResource{Group: "crm.rapport.dev", Version: "v1alpha1", Resource: "tenants"}

// measureOperator starts a kube-apiserver and etcd (envtest, from `make
// tools`), an in-process Kafka, the gateway and the operator binary with its
// default concurrency and services, and times dedicated tenants from
// `kubectl apply` to Ready: one alone, then operatorTenants at once, then
// the deletion of all. Whatever fails, the tenants are deleted and what
// the operator left of them on PostgreSQL is dropped.
func measureOperator(ctx context.Context, root string) (res operatorRun, err error) {
	if operatorTenants < 1 {
		return res, fmt.Errorf("-operator-tenants %d: at least 1 tenant", operatorTenants)
	}
	res.Tenants = operatorTenants
	res.Services = registry.Default().Domain().Built().Names()
	res.Topics = len(registry.Default().Topics(events.TenantPrefix("bench"), res.Services))
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
	// envtest's default range, a /24, holds 254 Services: fewer than
	// tenants × services.
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", operatorServiceRange)
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
	gwProc, err := gw.run(ctx, gateway, []string{"LOG_LEVEL=error",
		"DATABASE_URL=" + gdb.AppURL, "DATABASE_MIGRATE_URL=" + gdb.AdminURL,
		"GATEWAY_ADDR=" + gAddr, "GATEWAY_METRICS_ADDR=" + mAddr, "GATEWAY_PUBLIC_URL=" + gateway,
		"GATEWAY_DATA_KEY=" + base64.StdEncoding.EncodeToString(dataKey),
		"GATEWAY_PLATFORM_TOKEN=" + platform, "STATIC_UPSTREAMS=contacts=127.0.0.1:1"})
	if err != nil {
		return res, err
	}
	cleanup = append(cleanup, func() { gwProc.Stop(10 * time.Second) })

	// The bench's own session on the server: it samples pg_stat_activity
	// and, last of all, drops what a failed run left.
	benchURL, err := withAppName(serverURL(), "rapport-bench")
	if err != nil {
		return res, err
	}
	db, err := sql.Open("postgres", benchURL)
	if err != nil {
		return res, err
	}
	db.SetMaxOpenConns(2)
	cleanup = append(cleanup, func() { db.Close() })
	run := randomHex(2)
	solo := "solo-" + run
	prefixes := []string{"t_solo_" + run + "_", "t_t" + run + "_"}
	cleanup = append(cleanup, func() {
		ctx, cancel := context.WithTimeout(context.Background(), operatorWaitLimit(operatorTenants))
		defer cancel()
		if n, err := sweepRun(ctx, db, prefixes); n > 0 || err != nil {
			fmt.Fprintf(os.Stderr, "bench: operator: dropped %d databases and roles the operator left (%v)\n", n, err)
		}
	})

	if _, err := kc.run(ctx, nil, "create", "namespace", "rapport-system"); err != nil {
		return res, err
	}
	adminURL, err := withAppName(serverURL(), operatorAppName)
	if err != nil {
		return res, err
	}
	if _, err := kc.run(ctx, nil, "-n", "rapport-system", "create", "secret", "generic", "pg-admin", "--from-literal=dsn="+adminURL); err != nil {
		return res, err
	}
	addrs, err := proc.FreeAddrs(2)
	if err != nil {
		return res, err
	}
	hAddr, metricsAddr := addrs[0], addrs[1]
	opProc, err := op.run(ctx, "http://"+hAddr, []string{"LOG_LEVEL=error",
		"KUBECONFIG=" + kc.config, "LEADER_ELECT=false", "METRICS_ADDR=" + metricsAddr, "HEALTH_ADDR=" + hAddr,
		"OPERATOR_NAMESPACE=rapport-system", "RAPPORT_VERSION=bench",
		"KAFKA_BROKERS=" + strings.Join(cluster.ListenAddrs(), ","),
		"GATEWAY_URL=" + gateway, "GATEWAY_PLATFORM_TOKEN=" + platform})
	if err != nil {
		return res, err
	}
	cleanup = append(cleanup, func() { opProc.Stop(10 * time.Second) })
	// Whatever happens, the operator drops the tenants' databases before it
	// stops (cleanup runs last in, first out).
	cleanup = append(cleanup, func() {
		limit := operatorWaitLimit(operatorTenants)
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		kc.run(ctx, nil, "delete", "tenants", "--all", "--wait=true", "--timeout="+limit.String()) //nolint:errcheck // best effort
	})
	p := probes{kc: kc, metricsAddr: metricsAddr, operatorPid: opProc.Pid(), gwPid: gwProc.Pid(), db: db}

	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return res, err
	}
	ready := newReadiness()
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go ready.watch(wctx, dyn)

	began := time.Now()
	if _, err := kc.run(ctx, tenantsYAML([]string{solo}), "apply", "-f", "-"); err != nil {
		return res, err
	}
	res.OneApply = time.Since(began)
	if err := ready.await(ctx, []string{solo}, operatorWaitLimit(1)); err != nil {
		return res, err
	}
	res.One = ready.at(solo).Sub(began)

	names := make([]string, operatorTenants)
	for i := range names {
		names[i] = fmt.Sprintf("t%s-%04d", run, i)
	}
	res.Create, err = p.phase(ctx, func() error {
		began = time.Now()
		if _, err := kc.run(ctx, tenantsYAML(names), "apply", "-f", "-"); err != nil {
			return err
		}
		res.ManyApply = time.Since(began)
		return ready.await(ctx, names, operatorWaitLimit(len(names)))
	})
	if err != nil {
		return res, err
	}
	took := make([]time.Duration, len(names))
	for i, n := range names {
		took[i] = ready.at(n).Sub(began)
	}
	slices.Sort(took)
	res.Many, res.ManyP50, res.ManyP99 = took[len(took)-1], quantile(took, 0.50), quantile(took, 0.99)
	fmt.Fprintf(os.Stderr, "bench: operator: %d tenants Ready, the last after %s (p50 %s); %.1f API requests per tenant; deleting them…\n",
		len(names), secs(res.Many), secs(res.ManyP50), res.Create.Requests.total()/float64(len(names)))
	dbs, _, err := runObjects(ctx, db, prefixes)
	if err != nil {
		return res, err
	}
	res.Databases = len(dbs)
	if res.DataBytes, err = runDataSize(ctx, db, prefixes); err != nil {
		return res, fmt.Errorf("size of the tenants' databases: %w", err)
	}

	res.Teardown, err = p.phase(ctx, func() error {
		began = time.Now()
		limit := operatorWaitLimit(len(names) + 1)
		_, err := kc.run(ctx, nil, "delete", "tenants", "--all", "--wait=true", "--timeout="+limit.String())
		res.Delete = time.Since(began)
		return err
	})
	if err != nil {
		return res, err
	}
	dbs, roles, err := runObjects(ctx, db, prefixes)
	if err != nil {
		return res, err
	}
	res.Left = len(dbs) + len(roles)
	fmt.Fprintf(os.Stderr, "bench: operator: deleted in %s; %d databases and roles left\n", secs(res.Delete), res.Left)
	if res.PeakRSS, err = peakRSS(opProc.Pid()); err != nil {
		return res, err
	}
	if res.Left > 0 {
		return res, fmt.Errorf("after the delete %d databases and roles of the run are left: %s", res.Left, strings.Join(append(dbs, roles...), ", "))
	}
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

// output runs kubectl and returns its standard output alone.
func (k kubectl) output(ctx context.Context, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", k.config}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}
