package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Service is one service the launcher runs.
type Service struct {
	Name string // directory name under services/, also its database name
	Port int    // HTTP port on 127.0.0.1
	Bin  string // built binary
	// Events says the service publishes events: it documents them in
	// services/<name>/api/asyncapi.yaml, and its topics are created.
	Events bool
}

// Addr returns the service's listen address.
func (s Service) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// URL returns the service's base URL.
func (s Service) URL() string { return "http://" + s.Addr() }

// placeGateway puts the gateway, when present, on port: the one address a
// user of the local stack talks to.
func placeGateway(services []Service, port int) {
	for i := range services {
		if services[i].Name == "gateway" {
			services[i].Port = port
		}
	}
}

// discoverServices returns the services present as
// services/<name>/cmd/<name>/main.go under root, in name order with the
// gateway last, with ports from base in that order. only, if not empty,
// restricts the set; naming a service that does not exist is an error.
func discoverServices(root string, base int, only []string) ([]Service, error) {
	mains, err := filepath.Glob(filepath.Join(root, "services", "*", "cmd", "*", "main.go"))
	if err != nil {
		return nil, fmt.Errorf("look for services: %w", err)
	}
	var names []string
	for _, m := range mains {
		cmdDir := filepath.Dir(m)
		name := filepath.Base(cmdDir)
		if filepath.Base(filepath.Dir(filepath.Dir(cmdDir))) != name {
			continue // services/a/cmd/b: a helper command, not the service
		}
		if !serviceName.MatchString(name) {
			return nil, fmt.Errorf("services/%s: the name must match %s (it names a database and a role)", name, serviceName)
		}
		names = append(names, name)
	}
	// The gateway comes last: placeGateway moves it to the public door's
	// port, so the others keep consecutive ports from base.
	slices.SortFunc(names, func(a, b string) int {
		if (a == "gateway") != (b == "gateway") {
			if a == "gateway" {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	for _, n := range only {
		if !slices.Contains(names, n) {
			return nil, &ConfigError{"RAPPORT_SERVICES", fmt.Sprintf("%q is not under services/ (found: %s)", n, strings.Join(names, ", "))}
		}
	}
	// Ports follow the full order, not the filtered one, so RAPPORT_SERVICES
	// never moves a service to another port.
	services := make([]Service, 0, len(names))
	for i, n := range names {
		if len(only) > 0 && !slices.Contains(only, n) {
			continue
		}
		port := base + i
		if port > 65535 {
			return nil, &ConfigError{"RAPPORT_HTTP_BASE_PORT", fmt.Sprintf("%d leaves no port for %s", base, n)}
		}
		_, err := os.Stat(filepath.Join(root, "services", n, "api", "asyncapi.yaml"))
		services = append(services, Service{Name: n, Port: port, Bin: filepath.Join(root, "bin", n), Events: err == nil})
	}
	return services, nil
}

// buildServices compiles every service into bin/<name> with one go build, in
// the workspace at root.
func buildServices(ctx context.Context, root string, services []Service) error {
	if len(services) == 0 {
		return nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return errors.New("build services: the go command is not in PATH")
	}
	args := []string{"build", "-o", filepath.Join(root, "bin") + string(filepath.Separator)}
	for _, s := range services {
		args = append(args, "./"+filepath.ToSlash(filepath.Join("services", s.Name, "cmd", s.Name)))
	}
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = root
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build services (go %s): %w", strings.Join(args, " "), err)
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
