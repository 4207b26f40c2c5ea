package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Service is one process the launcher runs: a service, or one replica of
// it when RAPPORT_REPLICAS is above 1.
type Service struct {
	Name  string // directory name under services/, also its database name
	Entry bool   // the public entry, the gateway
	// Replica numbers the service's processes from 1; Replicated says
	// there are several (RAPPORT_REPLICAS > 1), each behind Front.
	Replica    int
	Replicated bool
	Port       int // the process's HTTP port on 127.0.0.1
	// Front is the port the service's clients use: Port itself, or the
	// launcher's balancer over the replicas (replicas.go).
	Front int
	// MetricsPort is where a gateway process serves /metrics; 0 for the
	// others, which serve them on Port.
	MetricsPort int
	Bin         string // built binary
	// Topic is the shared tier's topic the service publishes to, which the
	// launcher creates; empty for a service that publishes no events.
	Topic string
}

// Addr returns the process's listen address.
func (s Service) Addr() string { return loopback(s.Port) }

// URL returns the process's base URL.
func (s Service) URL() string { return "http://" + s.Addr() }

// FrontURL returns the base URL the service's clients use.
func (s Service) FrontURL() string { return "http://" + loopback(s.Front) }

// ProcName names the process in the control API: "contacts-1".
func (s Service) ProcName() string { return s.Name + "-" + strconv.Itoa(max(s.Replica, 1)) }

// Label prefixes the process's output lines: its name, or ProcName when
// the service has replicas.
func (s Service) Label() string {
	if s.Replicated {
		return s.ProcName()
	}
	return s.Name
}

// MetricsURL returns where the process serves Prometheus metrics.
func (s Service) MetricsURL() string {
	if s.MetricsPort != 0 {
		return "http://" + loopback(s.MetricsPort) + "/metrics"
	}
	return s.URL() + "/metrics"
}

// loopback is 127.0.0.1:port.
func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// discoverServices returns the processes of the services of reg the
// launcher runs: those built and present as
// services/<name>/cmd/<name>/main.go under cfg.RepoRoot, in the registry's
// order, each with cfg.Replicas processes (planPorts gives their ports).
// cfg.Services, if not empty, restricts the set; naming a service that is
// not there is an error.
func discoverServices(reg registry.Registry, cfg Config) ([]Service, error) {
	var found []Service
	slot := 0
	for _, s := range reg {
		port := cfg.GatewayPort
		if !s.Entry {
			port, slot = cfg.HTTPBasePort+slot, slot+1
		}
		if !s.Built {
			continue
		}
		if _, err := os.Stat(filepath.Join(cfg.RepoRoot, "services", s.Name, "cmd", s.Name, "main.go")); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("look for service %s: %w", s.Name, err)
		}
		found = append(found, Service{Name: s.Name, Entry: s.Entry, Port: port, Bin: filepath.Join(cfg.RepoRoot, "bin", s.Name), Topic: s.Topic("")})
	}
	for _, n := range cfg.Services {
		if !slices.ContainsFunc(found, func(s Service) bool { return s.Name == n }) {
			return nil, &ConfigError{"RAPPORT_SERVICES", fmt.Sprintf("%q is not under services/ (found: %s)", n, names(found))}
		}
	}
	services := make([]Service, 0, len(found))
	for _, s := range found {
		if len(cfg.Services) > 0 && !slices.Contains(cfg.Services, s.Name) {
			continue
		}
		services = append(services, s)
	}
	planned, err := planPorts(services, cfg, slot)
	if err != nil {
		return nil, err
	}
	if err := checkPlan(planned, cfg); err != nil {
		return nil, err
	}
	return planned, nil
}

// buildServices compiles every service into bin/<name> with one go build, in
// the workspace at root.
func buildServices(ctx context.Context, root string, services []Service) error {
	if len(services) == 0 {
		return nil
	}
	var pkgs []string
	for _, s := range services {
		if s.Replica <= 1 {
			pkgs = append(pkgs, "./"+filepath.ToSlash(filepath.Join("services", s.Name, "cmd", s.Name)))
		}
	}
	if err := proc.Build(ctx, root, filepath.Join(root, "bin"), pkgs...); err != nil {
		return fmt.Errorf("build services: %w", err)
	}
	return nil
}

// checkPortsFree fails early, naming the process, when a port is taken
// (often by a service left over from an earlier run): a process's own, its
// front's and a gateway's metrics port.
func checkPortsFree(services []Service) error {
	for _, s := range services {
		if err := checkPortFree(s.Addr(), s.Label(), "RAPPORT_HTTP_BASE_PORT to move all services"); err != nil {
			return err
		}
		if s.Replicated && s.Replica == 1 {
			if err := checkPortFree(loopback(s.Front), s.Name+"'s balancer", "RAPPORT_HTTP_BASE_PORT or RAPPORT_GATEWAY_PORT"); err != nil {
				return err
			}
		}
		if s.MetricsPort != 0 {
			if err := checkPortFree(loopback(s.MetricsPort), s.Label()+" metrics", "RAPPORT_GATEWAY_METRICS_PORT"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkPortFree fails, naming what wants addr and the variable that moves
// it, when addr is taken.
func checkPortFree(addr, what, moveWith string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %s is in use (set %s): %w", what, addr, moveWith, err)
	}
	return ln.Close()
}

// staticUpstreams renders the STATIC_UPSTREAMS map, every replica of a
// service after its name: contacts=127.0.0.1:8081,... or, with replicas,
// contacts=127.0.0.1:8087|127.0.0.1:8093,...
func staticUpstreams(services []Service) string {
	var (
		order []string
		addrs = map[string][]string{}
	)
	for _, s := range services {
		if _, ok := addrs[s.Name]; !ok {
			order = append(order, s.Name)
		}
		addrs[s.Name] = append(addrs[s.Name], s.Addr())
	}
	parts := make([]string, len(order))
	for i, n := range order {
		parts[i] = n + "=" + strings.Join(addrs[n], "|")
	}
	return strings.Join(parts, ",")
}
