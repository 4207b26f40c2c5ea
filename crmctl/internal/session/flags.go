// Package session is what every crmctl command shares: the global flags,
// the signed-in client of the gateway and the errors crmctl reports.
package session

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
	"github.com/rapport-crm/rapport/crmctl/internal/output"
)

// EnvGateway names the environment variable giving --gateway's default.
const EnvGateway = "CRMCTL_GATEWAY"

// Options are the global flags' values.
type Options struct {
	// Gateway is the gateway's base URL ("" for the current profile's).
	Gateway string
	// Tenant is the tenant's slug ("" for the current profile's).
	Tenant string
	// Output is the output format: table, json, yaml or csv.
	Output string
	// Config is the configuration file's path.
	Config string
}

// Register adds the global flags to root as persistent flags.
func Register(root *cobra.Command) {
	f := root.PersistentFlags()
	f.String("gateway", os.Getenv(EnvGateway), "the gateway's URL, e.g. https://crm.example.com (env "+EnvGateway+")")
	f.String("tenant", "", "the tenant's slug (default: the one of the last login)")
	f.StringP("output", "o", output.Table, "output format: "+strings.Join(output.Formats, ", "))
	f.String("config", os.Getenv(config.EnvPath), "configuration file (env "+config.EnvPath+"; default rapport/crmctl.json in the user's config directory)")
}

// Get returns the global flags' values as cmd sees them.
func Get(cmd *cobra.Command) Options {
	var o Options
	f := cmd.Flags()
	o.Gateway, _ = f.GetString("gateway")
	o.Gateway = strings.TrimSuffix(o.Gateway, "/")
	o.Tenant, _ = f.GetString("tenant")
	o.Output, _ = f.GetString("output")
	o.Config, _ = f.GetString("config")
	return o
}

// ConfigPath returns --config or the default configuration file's path.
func (o Options) ConfigPath() (string, error) {
	if o.Config != "" {
		return o.Config, nil
	}
	return config.DefaultPath()
}

// Print writes v to cmd's output in the --output format; columns chooses
// and orders the table and CSV columns (nil: every member, id first).
func Print(cmd *cobra.Command, v any, columns []string) error {
	return output.Write(cmd.OutOrStdout(), Get(cmd).Output, v, columns)
}
