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

// Service is one service the launcher runs.
type Service struct {
	Name string // directory name under services/, also its database name
	Port int    // HTTP port on 127.0.0.1
	Bin  string // built binary
	// Topic is the shared tier's topic the service publishes to, which the
	// launcher creates; empty for a service that publishes no events.
	Topic string
}

// Addr returns the service's listen address.
func (s Service) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// URL returns the service's base URL.
func (s Service) URL() string { return "http://" + s.Addr() }

// discoverServices returns the services of reg the launcher runs: those
// built and present as services/<name>/cmd/<name>/main.go under
// cfg.RepoRoot, in the registry's order. The entry (the gateway) takes
// cfg.GatewayPort, the public door; every other service its port from
// cfg.HTTPBasePort by its place in the registry, planned ones included, so
// neither building a service nor RAPPORT_SERVICES moves another. cfg.Services,
// if not empty, restricts the set; naming a service that is not there is an
// error.
func discoverServices(reg registry.Registry, cfg Config) ([]Service, error) {
	var found []Service
	next := cfg.HTTPBasePort
	for _, s := range reg {
		port := cfg.GatewayPort
		if !s.Entry {
			port, next = next, next+1
		}
		if !s.Built {
			continue
		}
		if _, err := os.Stat(filepath.Join(cfg.RepoRoot, "services", s.Name, "cmd", s.Name, "main.go")); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("look for service %s: %w", s.Name, err)
		}
		found = append(found, Service{Name: s.Name, Port: port, Bin: filepath.Join(cfg.RepoRoot, "bin", s.Name), Topic: s.Topic("")})
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
		if s.Port > 65535 {
			return nil, &ConfigError{"RAPPORT_HTTP_BASE_PORT", fmt.Sprintf("%d leaves no port for %s", cfg.HTTPBasePort, s.Name)}
		}
		services = append(services, s)
	}
	return services, nil
}

// buildServices compiles every service into bin/<name> with one go build, in
// the workspace at root.
func buildServices(ctx context.Context, root string, services []Service) error {
	if len(services) == 0 {
		return nil
	}
	pkgs := make([]string, len(services))
	for i, s := range services {
		pkgs[i] = "./" + filepath.ToSlash(filepath.Join("services", s.Name, "cmd", s.Name))
	}
	if err := proc.Build(ctx, root, filepath.Join(root, "bin"), pkgs...); err != nil {
		return fmt.Errorf("build services: %w", err)
	}
	return nil
}

// checkPortsFree fails early, naming the service, when a port is taken (often
// by a service left over from an earlier run).
func checkPortsFree(services []Service) error {
	for _, s := range services {
		if err := checkPortFree(s.Addr(), s.Name, "RAPPORT_HTTP_BASE_PORT to move all services"); err != nil {
			return err
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

// staticUpstreams renders the STATIC_UPSTREAMS map: contacts=127.0.0.1:8081,...
func staticUpstreams(services []Service) string {
	parts := make([]string, len(services))
	for i, s := range services {
		parts[i] = s.Name + "=" + s.Addr()
	}
	return strings.Join(parts, ",")
}
