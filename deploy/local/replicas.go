package main

import (
	"fmt"
	"net"
	"strconv"
)

// The port plan (RAPPORT_REPLICAS=N).
//
// N = 1 (the default) is the plan without replicas: the gateway listens on
// RAPPORT_GATEWAY_PORT with its metrics on RAPPORT_GATEWAY_METRICS_PORT, and
// the service in slot k of the registry (planned services included, the
// gateway excluded; S slots in all) on RAPPORT_HTTP_BASE_PORT+k.
//
// N > 1: those same ports become the fronts, a TCP balancer each (balancer.go)
// over the replicas, the way a Kubernetes Service fronts its pods:
//
//	service slot k, replica r (1..N)  RAPPORT_HTTP_BASE_PORT + r*S + k
//	gateway replica r                 RAPPORT_HTTP_BASE_PORT + (N+1)*S + r-1
//	gateway replica r's metrics       RAPPORT_GATEWAY_METRICS_PORT + r-1
//
// With today's registry (S = 5) and the defaults, N = 2 puts contacts-1 on
// 8086, contacts-2 on 8091, gateway-1 on 8096 and gateway-2 on 8097.

// planPorts expands services (one each, on its front port) into
// max(cfg.Replicas, 1) processes each, service by service, by the plan
// above; slots is S.
func planPorts(services []Service, cfg Config, slots int) ([]Service, error) {
	n := max(cfg.Replicas, 1)
	out := make([]Service, 0, n*len(services))
	for _, s := range services {
		for r := 1; r <= n; r++ {
			p := s
			p.Replica, p.Replicated, p.Front = r, n > 1, s.Port
			switch {
			case n == 1 && s.Entry:
				p.MetricsPort = cfg.GatewayMetricsPort
			case s.Entry:
				p.Port = cfg.HTTPBasePort + (n+1)*slots + r - 1
				p.MetricsPort = cfg.GatewayMetricsPort + r - 1
			case n > 1:
				p.Port = s.Port + r*slots
			}
			if p.Port > 65535 {
				return nil, &ConfigError{"RAPPORT_HTTP_BASE_PORT", fmt.Sprintf("%d leaves no port for %s", cfg.HTTPBasePort, p.Label())}
			}
			if p.MetricsPort > 65535 {
				return nil, &ConfigError{"RAPPORT_GATEWAY_METRICS_PORT", fmt.Sprintf("%d leaves no metrics port for %s", cfg.GatewayMetricsPort, p.Label())}
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// checkPlan fails, naming the variable that moves it, when two listeners
// of the plan would share a port: a process's, a front's, a gateway's
// metrics, the in-process Kafka's brokers, the throwaway PostgreSQL or the
// control API (with replicas, the metrics ports from
// RAPPORT_GATEWAY_METRICS_PORT run into Kafka's 9092 from N = 3).
func checkPlan(services []Service, cfg Config) error {
	type owner struct{ what, variable string }
	taken := map[int]owner{}
	claim := func(port int, what, variable string) error {
		if port == 0 {
			return nil
		}
		if o, ok := taken[port]; ok {
			return &ConfigError{variable, fmt.Sprintf("port %d would serve both %s and %s (%s)", port, what, o.what, o.variable)}
		}
		taken[port] = owner{what, variable}
		return nil
	}
	for _, s := range services {
		portVar, frontVar := "RAPPORT_HTTP_BASE_PORT", "RAPPORT_HTTP_BASE_PORT"
		if s.Entry {
			frontVar = "RAPPORT_GATEWAY_PORT"
			if !s.Replicated {
				portVar = frontVar
			}
		}
		if err := claim(s.Port, s.Label(), portVar); err != nil {
			return err
		}
		if s.Replicated && s.Replica == 1 {
			if err := claim(s.Front, s.Name+"'s balancer", frontVar); err != nil {
				return err
			}
		}
		if err := claim(s.MetricsPort, s.Label()+" metrics", "RAPPORT_GATEWAY_METRICS_PORT"); err != nil {
			return err
		}
	}
	var infra []int
	if len(cfg.KafkaBrokers) == 0 {
		infra = kafkaPorts(cfg)
	}
	for _, p := range infra {
		if err := claim(p, "the in-process Kafka", "RAPPORT_LOCAL_KAFKA_PORT"); err != nil {
			return err
		}
	}
	if cfg.DatabaseURL == nil {
		if err := claim(cfg.LocalPGPort, "the throwaway PostgreSQL", "RAPPORT_LOCAL_PG_PORT"); err != nil {
			return err
		}
	}
	if _, port, err := net.SplitHostPort(cfg.ControlAddr); err == nil {
		p, _ := strconv.Atoi(port)
		return claim(p, "the control API", "RAPPORT_CONTROL_ADDR")
	}
	return nil
}

// fronts returns, when the services have replicas, each service's front
// port with the addresses of its replicas, for the balancers.
func fronts(services []Service) map[int][]string {
	m := map[int][]string{}
	for _, s := range services {
		if s.Replicated {
			m[s.Front] = append(m[s.Front], s.Addr())
		}
	}
	return m
}
