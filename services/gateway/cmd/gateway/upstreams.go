package main

import (
	"fmt"

	"github.com/hashicorp/consul/api"

	"github.com/rapport-crm/rapport/libs/discovery"
)

// resolver finds the services: in Consul by tenant tag when CONSUL_HTTP_ADDR
// is set, else from STATIC_UPSTREAMS.
func resolver(cfg config) (discovery.Resolver, func() error, error) {
	if cfg.ConsulAddr != "" {
		conf := api.DefaultConfig()
		conf.Address = cfg.ConsulAddr
		client, err := api.NewClient(conf)
		if err != nil {
			return nil, nil, fmt.Errorf("CONSUL_HTTP_ADDR: %w", err)
		}
		c := discovery.NewConsul(client)
		return c, c.Close, nil
	}
	s, err := discovery.ParseStatic(cfg.StaticUpstreams)
	if err != nil {
		return nil, nil, fmt.Errorf("STATIC_UPSTREAMS: %w", err)
	}
	return s, func() error { return nil }, nil
}
