package charttest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// shared is the one API server of a test binary: APIServer starts it on
// first use, Main stops it when the tests are done.
var shared struct {
	mu     sync.Mutex
	inMain bool
	env    *envtest.Environment
	cfg    *rest.Config
	err    error
}

// Main runs a package's tests and then stops the API server APIServer
// started. A package whose tests call APIServer must have
//
//	func TestMain(m *testing.M) { os.Exit(charttest.Main(m)) }
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.env != nil {
		if err := shared.env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "charttest: stop the API server: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		shared.env = nil
	}
	return code
}

// APIServer returns a client config (cluster admin) of the test binary's
// envtest kube-apiserver, started on first use with the operator's Tenant
// CRD (operator/config/crd/bases) and the optional integrations' CRDs
// (testdata/crds: cert-manager Certificate, Gateway API HTTPRoute,
// prometheus-operator ServiceMonitor and PrometheusRule). Its binaries are
// the ones `make tools` builds. Every test of the binary shares it, so a
// test must not depend on what another created there.
func APIServer(t testing.TB) *rest.Config {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		t.Fatal("charttest: APIServer needs the package's TestMain to call charttest.Main, which stops the API server")
	}
	if shared.env == nil && shared.err == nil {
		shared.env, shared.cfg, shared.err = startAPIServer()
	}
	if shared.err != nil {
		t.Fatalf("charttest: %v", shared.err)
	}
	return rest.CopyConfig(shared.cfg)
}

// startAPIServer starts envtest with the CRDs APIServer lists.
func startAPIServer() (*envtest.Environment, *rest.Config, error) {
	assets := filepath.Join(testkit.ToolsDir(), "envtest")
	for _, name := range []string{"kube-apiserver", "etcd"} {
		if err := testkit.CheckTool(filepath.Join(assets, name)); err != nil {
			return nil, nil, err
		}
	}
	root, err := proc.RepoRoot()
	if err != nil {
		return nil, nil, err
	}
	// envtest logs through controller-runtime's logger, which complains
	// with a stack trace unless it is set.
	logf.SetLogger(logr.Discard())
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{
			filepath.Join(root, "operator", "config", "crd", "bases"),
			filepath.Join(root, "deploy", "chart", "charttest", "testdata", "crds"),
		},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("start envtest: %w", err)
	}
	return env, cfg, nil
}
