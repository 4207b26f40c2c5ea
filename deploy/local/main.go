// Command rapport-local runs the whole Rapport platform on one machine: a
// PostgreSQL (DATABASE_URL or a throwaway cluster), an in-process Kafka
// (or KAFKA_BROKERS), and every service of libs/registry built under
// services/ as its own process.
// Ctrl-C stops everything. It is what `make run` starts; see DESIGN §7.
//
// Environment (all optional):
//
//	DATABASE_URL              admin DSN (postgres://...) of an existing server; unset: throwaway cluster in <state>/pg
//	RAPPORT_LOCAL_PG_PORT     port of the throwaway cluster (55432)
//	KAFKA_BROKERS             host:port,... of a real Kafka; unset: in-process kfake
//	RAPPORT_LOCAL_KAFKA_PORT  port of the in-process Kafka (9092)
//	CONSUL_HTTP_ADDR          passed through to the services
//	RAPPORT_HTTP_BASE_PORT    first service port (8081); the services take ports in the registry's order
//	RAPPORT_GATEWAY_PORT      the public door (8080): the gateway, or a stand-in token issuer while there is none
//	RAPPORT_GATEWAY_METRICS_PORT  the gateway's /metrics on 127.0.0.1 (9090), apart from the public door
//	RAPPORT_DEMO_PASSWORD     password of admin@demo.rapport.local in tenant demo (generated and kept in <state>/secrets)
//	RAPPORT_SERVICES          comma-separated subset of services to run (all)
//	RAPPORT_READY_TIMEOUT     wait for each service's /readyz (60s)
//	RAPPORT_STATE_DIR         throwaway cluster and generated passwords (<repo>/.local)
//	RAPPORT_REPO_ROOT         repository root (found by walking up to go.work)
//	RAPPORT_REPLICAS          processes of each service and of the gateway (1); above 1 the ports above
//	                          become balancers over the replicas (port plan: replicas.go) and the
//	                          in-process Kafka runs two brokers (RAPPORT_LOCAL_KAFKA_PORT and the next)
//	RAPPORT_CONTROL_ADDR      loopback host:port of the control API that kills, restarts and pauses
//	                          processes and restarts Kafka and PostgreSQL (control.go); off unless set
//	LOG_LEVEL                 passed to the services: debug, info, warn, error (info)
//	GATEWAY_SMTP_URL, GATEWAY_MAIL_FROM  passed through to the gateway: its notification emails (none without)
//	MARKETING_PUBLIC_URL      where the marketing service's links point (the gateway, http://127.0.0.1:8080)
//	MARKETING_LINK_KEY        base64 HMAC key of those links (generated and kept in <state>/secrets)
//	MARKETING_SMTP_URL, MARKETING_MAIL_FROM, MARKETING_SMS_URL, MARKETING_SMS_TOKEN  passed through to marketing: its relay and SMS provider (none without)
//	REPORTING_SMTP_URL, REPORTING_MAIL_FROM  passed through to reporting: the relay its scheduled reports go through (none mailed without)
//	REPORTING_TRAIN_EVERY     passed through to reporting: how old a tenant's prediction models may get (24h)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

func main() { os.Exit(run()) }

// run wires the launcher and returns the exit code: 0 after a clean stop on
// SIGINT/SIGTERM, 1 when something failed, 2 for bad configuration.
func run() int {
	cfg, err := LoadConfig(os.Getenv, proc.RepoRoot)
	if err != nil {
		fmt.Fprintln(os.Stderr, failLine(err))
		return 2
	}
	services, err := discoverServices(registry.Default(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, failLine(err))
		var ce *ConfigError
		if errors.As(err, &ce) {
			return 2
		}
		return 1
	}

	// The first SIGINT/SIGTERM cancels ctx (graceful stop); a second one
	// closes force (skip the grace period).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	force := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		close(force)
	}()

	l := &launcher{cfg: cfg, con: newConsole(os.Stdout, nameWidth(services)), services: services}
	code := 0
	if err := l.start(ctx); err != nil {
		if ctx.Err() == nil {
			l.logf("%s", failLine(err))
			code = 1
		}
	} else {
		l.printWelcome()
		<-ctx.Done()
	}
	l.logf("stopping")
	if err := l.stop(force); err != nil {
		l.logf("%s", failLine(err))
		code = 1
	}
	l.logf("stopped")
	return code
}
