// Command operator runs the Tenant operator: it reconciles crm.rapport.dev
// Tenants into running tenants (DESIGN §6). main is wiring only; the
// configuration comes from the environment (see operator/README.md).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/go-logr/logr"
	_ "gocloud.dev/blob/fileblob" // BACKUP_URL file:///…
	_ "gocloud.dev/blob/s3blob"   // BACKUP_URL s3://…, S3-compatible stores too
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/operator/internal/controller"
)

// main runs the command line: `operator version`, or serving.
func main() {
	os.Exit(command(os.Args[1:], os.Stdout, os.Stderr, serve))
}

// serve reads the configuration and runs the operator until SIGINT or
// SIGTERM; it returns the exit status (2 for a bad configuration).
func serve() int {
	cfg, err := loadConfig(os.Getenv, registry.Default())
	if err != nil {
		fmt.Fprintln(os.Stderr, "operator: configuration:", err)
		return 2
	}
	logger := obs.NewLogger("operator", os.Stderr, cfg.LogLevel)
	ctrl.SetLogger(logr.FromSlogHandler(logger.Handler()))
	if err := run(ctrl.SetupSignalHandler(), cfg); err != nil {
		logger.Error("operator stopped", "error", err.Error())
		return 1
	}
	return 0
}

// run starts the manager with the Tenant controller and blocks until ctx
// ends.
func run(ctx context.Context, cfg config) error {
	restConfig, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                  scheme,
		Cache:                   controller.CacheOptions(),
		Metrics:                 metricsserver.Options{BindAddress: cfg.MetricsAddr},
		HealthProbeBindAddress:  cfg.HealthAddr,
		LeaderElection:          cfg.LeaderElect,
		LeaderElectionID:        "tenant-operator.crm.rapport.dev",
		LeaderElectionNamespace: cfg.Controller.Namespace,
	})
	if err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	r, err := controller.Setup(mgr, cfg.Controller)
	if err != nil {
		return err
	}
	defer r.Close() //nolint:errcheck // nothing is left to do at exit
	return mgr.Start(ctx)
}
