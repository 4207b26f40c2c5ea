package starter

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/hashicorp/consul/api"

	"github.com/rapport-crm/rapport/libs/discovery"
)

// register makes this instance findable by the gateway: with CONSUL_HTTP_ADDR
// set, it registers in the Consul agent there under cfg.Name with the tags of
// CONSUL_SERVICE_TAGS (the tenant tag: "shared", or "tenant-<name>" from the
// operator), dialled at SERVICE_ADDRESS and port (the one HTTP_ADDR bound),
// and health-checked on /readyz. The returned function deregisters; without
// Consul both are no-ops (the local stack routes with a static table).
func register(ctx context.Context, cfg Config, port int) (deregister func(context.Context) error, err error) {
	if cfg.ConsulAddr == "" {
		return func(context.Context) error { return nil }, nil
	}
	client, err := api.NewClient(&api.Config{Address: cfg.ConsulAddr})
	if err != nil {
		return nil, fmt.Errorf("CONSUL_HTTP_ADDR: %w", err)
	}
	return discovery.Register(ctx, client, discovery.Registration{
		Service:   cfg.Name,
		Address:   cfg.ServiceAddress,
		Port:      port,
		Tags:      cfg.ConsulTags,
		HealthURL: "http://" + net.JoinHostPort(cfg.ServiceAddress, strconv.Itoa(port)) + "/readyz",
	})
}
