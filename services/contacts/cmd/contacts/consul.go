package main

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/hashicorp/consul/api"

	"github.com/rapport-crm/rapport/libs/discovery"
)

// register makes this instance findable by the gateway: with CONSUL_HTTP_ADDR
// set, it registers in the Consul agent there under cfg.ServiceName with the
// tags of CONSUL_SERVICE_TAGS (the tenant tag: "shared", or "tenant-<name>"
// from the operator), dialled at SERVICE_ADDRESS and the port of HTTP_ADDR,
// and health-checked on /readyz. The returned function deregisters; without
// Consul both are no-ops (the local stack routes with a static table).
func register(ctx context.Context, cfg config) (deregister func(context.Context) error, err error) {
	if cfg.ConsulAddr == "" {
		return func(context.Context) error { return nil }, nil
	}
	client, err := api.NewClient(&api.Config{Address: cfg.ConsulAddr})
	if err != nil {
		return nil, fmt.Errorf("CONSUL_HTTP_ADDR: %w", err)
	}
	_, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: %w", err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: port %q: %w", port, err)
	}
	return discovery.Register(ctx, client, discovery.Registration{
		Service:   cfg.ServiceName,
		Address:   cfg.ServiceAddress,
		Port:      p,
		Tags:      cfg.ConsulTags,
		HealthURL: "http://" + net.JoinHostPort(cfg.ServiceAddress, port) + "/readyz",
	})
}
