package suite

import (
	"context"

	"github.com/rapport-crm/rapport/chaos/platform"
)

// For returns the suite's configuration for platform p: its gateway, token,
// brokers and every service's database, p as the injector, and the plan
// (full, or the short one of TestChaosShort) over p's processes.
func For(ctx context.Context, p *platform.Platform, full bool) (Config, error) {
	procs, err := p.Processes(ctx)
	if err != nil {
		return Config{}, err
	}
	var sp []Proc
	dbs := map[string]string{}
	for _, pr := range procs {
		sp = append(sp, Proc{Name: pr.Name, Service: pr.Service})
		dbs[pr.Service] = p.Database(pr.Service)
	}
	return Config{GatewayURL: p.GatewayURL, PlatformToken: p.PlatformToken, Brokers: p.Brokers, Databases: dbs,
		Injector: p, Faults: Plan(sp, p.Brokers, full)}, nil
}
