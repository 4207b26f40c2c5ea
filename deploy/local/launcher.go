package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/registry"
)

// stopGrace is how long services get between SIGTERM and SIGKILL.
const stopGrace = 10 * time.Second

// launcher runs the platform: infrastructure first, then every service.
type launcher struct {
	cfg      Config
	con      *console
	services []Service

	pg        *postgres
	kafka     *kafka
	issuer    *devIssuer  // nil when a gateway issues tokens
	demoPass  string      // the demo administrator's password, when a gateway runs
	balancers []*balancer // the fronts of the replicas (RAPPORT_REPLICAS > 1)
	children  []*child    // one per process, in order
	// stopControl stops the control API (nil when RAPPORT_CONTROL_ADDR is
	// unset).
	stopControl func()
}

// logf prints a launcher line.
func (l *launcher) logf(format string, args ...any) { l.con.Printf(format, args...) }

// start brings everything up and returns once every service is ready. On
// error, whatever was started is left for stop to tear down.
func (l *launcher) start(ctx context.Context) error {
	if err := checkPortsFree(l.services); err != nil {
		return err
	}
	if len(l.services) > 0 {
		l.logf("building %s", names(l.services))
		if err := buildServices(ctx, l.cfg.RepoRoot, l.services); err != nil {
			return err
		}
	}
	// Starting PostgreSQL is not interrupted half-way: stop() then finds a
	// cluster it can shut down rather than an orphaned server.
	pg, err := startPostgres(context.WithoutCancel(ctx), l.cfg, len(l.services)*l.cfg.Replicas, l.logf)
	if err != nil {
		return err
	}
	l.pg = pg
	if err := ctx.Err(); err != nil {
		return err
	}
	k, err := startKafka(ctx, l.cfg, topics(l.services))
	if err != nil {
		return err
	}
	l.kafka = k
	if k.fake != nil {
		l.logf("in-process Kafka on %s keeps its topics, events and offsets in %s", k.Brokers[0], kafkaDir(l.cfg))
	}
	if len(l.services) > 0 && l.gateway() == nil {
		if l.issuer, err = startDevIssuer(l.cfg.GatewayPort, serviceNames(l.services)); err != nil {
			return err
		}
	}

	for front, backends := range fronts(l.services) {
		b, err := startBalancer(loopback(front), backends)
		if err != nil {
			return err
		}
		l.balancers = append(l.balancers, b)
	}
	for i, svc := range l.services {
		env, err := l.serviceEnv(ctx, svc)
		if err != nil {
			return err
		}
		c := &child{svc: svc, env: env, dir: l.cfg.RepoRoot, logf: l.logf, watch: ctx,
			out: func() *lineWriter { return l.con.lineWriter(svc.Label(), i+1) }}
		if err := c.start(); err != nil {
			return err
		}
		l.children = append(l.children, c)
	}
	for _, c := range l.children {
		if err := waitReady(ctx, c.process(), c.svc, l.cfg.ReadyTimeout); err != nil {
			return err
		}
		l.logf("%s is ready", c.svc.Label())
	}
	if g := l.gateway(); g != nil {
		password := l.cfg.DemoPassword
		if password == "" {
			if password, err = secret(l.cfg.StateDir, "demo-admin.password"); err != nil {
				return err
			}
		}
		platform, err := platformToken(l.cfg.StateDir)
		if err != nil {
			return err
		}
		if err := bootstrapDemo(ctx, g.FrontURL(), platform, password); err != nil {
			return err
		}
		l.demoPass = password
	}
	if l.cfg.ControlAddr != "" {
		if l.stopControl, err = l.serveControl(ctx); err != nil {
			return err
		}
	}
	return nil
}

// serviceEnv provisions svc's database and returns its environment: ours,
// overridden by the service's settings (DESIGN §7).
func (l *launcher) serviceEnv(ctx context.Context, svc Service) ([]string, error) {
	pw, err := rolePassword(l.cfg.StateDir, appRole(svc.Name))
	if err != nil {
		return nil, err
	}
	db, err := provisionDatabase(ctx, l.pg.DB, l.pg.AdminURL, svc.Name, pw)
	if err != nil {
		return nil, err
	}
	cursorKey, err := secret(l.cfg.StateDir, svc.Name+".cursor-key")
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"SERVICE_NAME="+svc.Name,
		"HTTP_ADDR="+svc.Addr(),
		"DATABASE_URL="+db.AppURL,
		"DATABASE_MIGRATE_URL="+db.MigrateURL,
		"KAFKA_BROKERS="+strings.Join(l.kafka.Brokers, ","),
		"TOPIC_PREFIX=",
		"LOG_LEVEL="+l.cfg.LogLevel,
		"STATIC_UPSTREAMS="+staticUpstreams(l.services),
		"AUTH_JWKS_URL="+l.jwksURL(),
		"CURSOR_KEY="+cursorKey,
	)
	if l.cfg.ConsulAddr != "" {
		env = append(env, "CONSUL_HTTP_ADDR="+l.cfg.ConsulAddr)
	}
	if svc.Replicated {
		env = append(env, l.peerEnv()...)
	}
	if svc.Entry {
		extra, err := gatewayEnv(l.cfg.StateDir, svc.Addr(), loopback(svc.MetricsPort), svc.FrontURL())
		if err != nil {
			return nil, err
		}
		env = append(env, extra...)
	}
	if svc.Name == registry.Marketing {
		extra, err := marketingEnv(l.cfg.StateDir, "http://"+net.JoinHostPort("127.0.0.1", strconv.Itoa(l.cfg.GatewayPort)), os.Getenv)
		if err != nil {
			return nil, err
		}
		env = append(env, extra...)
	}
	return env, nil
}

// gateway returns the gateway's first process, if the gateway is there.
func (l *launcher) gateway() *Service {
	for i := range l.services {
		if l.services[i].Entry {
			return &l.services[i]
		}
	}
	return nil
}

// peerEnv points each service's calls to another (<NAME>_URL, read by
// libs/starter) at that service's front, the balancer over its replicas,
// rather than at its first replica (STATIC_UPSTREAMS' first address).
func (l *launcher) peerEnv() []string {
	var env []string
	for _, s := range l.services {
		if !s.Entry && s.Replica == 1 {
			env = append(env, strings.ToUpper(s.Name)+"_URL="+s.FrontURL())
		}
	}
	return env
}

// jwksURL is where services fetch the keys of their internal tokens: the
// gateway's (every replica signs with the same key), or the stand-in
// issuer's while there is no gateway.
func (l *launcher) jwksURL() string {
	if g := l.gateway(); g != nil {
		return g.FrontURL() + "/.well-known/jwks.json"
	}
	return l.issuer.JWKSURL()
}

// printWelcome says what runs where, ending with the "ready" line.
func (l *launcher) printWelcome() {
	if len(l.services) == 0 {
		l.logf("no services under services/ yet: PostgreSQL and Kafka are up; add services/<name>/cmd/<name>/main.go and run again")
	}
	for _, s := range l.services {
		switch {
		case s.Replicated && s.Replica == 1:
			l.logf("%-12s %s (balancer over %d replicas)", s.Name, s.FrontURL(), l.cfg.Replicas)
			fallthrough
		case s.Replicated:
			l.logf("  %-10s %s", s.ProcName(), s.URL())
		default:
			l.logf("%-10s %s", s.Name, s.URL())
		}
	}
	if g := l.gateway(); g != nil {
		l.logf("talk to the gateway, %s: tenant %q, %s, password %s", g.FrontURL(), demoSlug, demoAdminEmail, l.demoPass)
		l.logf("  TOKEN=$(curl -s %s/v1/auth/login -H 'Content-Type: application/json' -d '{\"tenant\":\"%s\",\"email\":\"%s\",\"password\":\"%s\"}' | sed -E 's/.*\"accessToken\":\"([^\"]+)\".*/\\1/')",
			g.FrontURL(), demoSlug, demoAdminEmail, l.demoPass)
		l.logf("  curl -H \"Authorization: Bearer $TOKEN\" %s/v1/contacts", g.FrontURL())
		for _, s := range l.services {
			if s.Entry {
				l.logf("%s metrics %s (not on the public port)", s.Label(), s.MetricsURL())
			}
		}
	}
	if l.issuer != nil && len(l.services) > 0 {
		first := l.services[0]
		l.logf("no gateway yet: a stand-in issuer on %s mints 10-minute tokens of the demo tenant's admin; try", l.issuer.addr)
		l.logf("  TOKEN=$(curl -s '%s'); curl -H \"Authorization: Bearer $TOKEN\" %s/v1/%s", l.issuer.TokenURL(first.Name), first.URL(), first.Name)
	}
	l.logf("PostgreSQL %s", l.pg.AdminURL.Redacted())
	l.logf("Kafka      %s (topics %s)", strings.Join(l.kafka.Brokers, ","), cmp.Or(strings.Join(l.kafka.Topics, ", "), "none yet"))
	l.logf("ready; press Ctrl-C to stop")
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// stop tears down in reverse order: the control API and the balancers,
// services, then Kafka, then PostgreSQL.
func (l *launcher) stop(force <-chan struct{}) error {
	if l.stopControl != nil {
		l.stopControl()
	}
	for _, b := range l.balancers {
		b.Close()
	}
	if len(l.children) > 0 {
		l.logf("stopping services")
	}
	stopChildren(l.children, force, l.logf)
	var errs []error
	if l.issuer != nil {
		if err := l.issuer.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if l.kafka != nil {
		l.kafka.Stop()
	}
	if l.pg != nil {
		if err := l.pg.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// serviceNames lists the services' names in order, once each.
func serviceNames(services []Service) []string {
	var n []string
	for _, s := range services {
		if s.Replica <= 1 {
			n = append(n, s.Name)
		}
	}
	return n
}

// names is serviceNames as one line.
func names(services []Service) string { return strings.Join(serviceNames(services), ", ") }

// nameWidth is the prefix width fitting the launcher's and every service's name.
func nameWidth(services []Service) int {
	w := len(launcherName)
	for _, s := range services {
		w = max(w, len(s.Label()))
	}
	return w
}

// failLine formats the single line printed when the launcher cannot go on.
func failLine(err error) string { return fmt.Sprintf("rapport-local: %v", err) }

// restartKafka restarts the in-process Kafka (the control API).
func (l *launcher) restartKafka(context.Context) error {
	l.logf("control: restarting the in-process Kafka")
	if err := l.kafka.Restart(); err != nil {
		return err
	}
	l.logf("Kafka is back on %s", strings.Join(l.kafka.Brokers, ","))
	return nil
}

// moveLeader moves a partition's leader to another broker (the control API).
func (l *launcher) moveLeader(topic string, partition int32) error {
	from, to, err := l.kafka.MoveLeader(topic, partition)
	if err == nil {
		l.logf("control: moved the leader of %s/%d from broker %d to %d", topic, partition, from, to)
	}
	return err
}

// restartPostgres restarts the throwaway cluster with an immediate
// shutdown (the control API).
func (l *launcher) restartPostgres(ctx context.Context) error {
	l.logf("control: restarting PostgreSQL (immediate shutdown)")
	if err := l.pg.Restart(ctx); err != nil {
		return err
	}
	l.logf("PostgreSQL is back")
	return nil
}
