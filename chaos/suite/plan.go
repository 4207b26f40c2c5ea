package suite

import "time"

// PlatformEnv is the environment the suite and the soak give the platform:
// every visitor of the load's public form comes from one address
// (127.0.0.1), so the per-address limit of form submissions (0.1/s) is
// raised to the per-tenant one; and webhook deliveries that failed during a
// fault are tried again within seconds rather than the default schedule's
// minutes and hours, so the reconciliation sees them delivered (eight
// attempts over about two minutes, longer than any fault).
var PlatformEnv = []string{"RATE_LIMIT_MARKETING_FORM_ADDRESS=20:50", "GATEWAY_WEBHOOK_SCHEDULE=0s,1s,2s,5s,10s,20s,30s,60s"}

// Proc is a process of the platform the faults may hit.
type Proc struct {
	Name    string // "contacts-1"
	Service string // "contacts", "gateway"
}

// Plan returns the suite's faults for the platform's processes: in full,
// SIGKILL and restart of every process in turn; short, of the first
// replica of contacts and of the gateway only. Then the broker restart,
// the PostgreSQL restart, a pause of the first reporting replica past its
// consumers' session timeout, and the poison event.
func Plan(procs []Proc, brokers []string, full bool) func(tenant string, poison *string) []Fault {
	return func(tenant string, poison *string) []Fault {
		var out []Fault
		for _, p := range procs {
			if full || p.Name == "contacts-1" || p.Name == "gateway-1" {
				out = append(out, KillRestart(p.Name, time.Second))
			}
		}
		out = append(out, KafkaRestart(), PostgresRestart(), PauseConsumer("reporting-1", 10*time.Second), Poison(brokers, tenant, poison))
		return out
	}
}
