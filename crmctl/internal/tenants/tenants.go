// Package tenants holds `crmctl tenants`, the platform operator's commands
// over the gateway's admin API (/admin/v1/tenants) with the platform token.
package tenants

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
	"github.com/rapport-crm/rapport/libs/apiclient"
	"github.com/rapport-crm/rapport/libs/gatewayadmin"
)

// EnvPlatformToken names the environment variable giving --platform-token.
const EnvPlatformToken = "CRMCTL_PLATFORM_TOKEN"

// errNoToken is a tenants command without the platform token.
var errNoToken = errors.New("the tenants commands need the platform token: --platform-token or " + EnvPlatformToken)

// columns are the table's columns.
var columns = []string{"id", "slug", "name", "tier", "status", "domains"}

// New returns `crmctl tenants`.
func New() *cobra.Command {
	cmd := session.Group(&cobra.Command{
		Use:   "tenants",
		Short: "List, create, suspend and resume tenants (platform operators)",
		Example: `  CRMCTL_PLATFORM_TOKEN=… crmctl tenants list --gateway https://crm.example.com
  crmctl tenants create --slug acme --name "Acme Ltd" --admin-email ada@acme.test --platform-token "$TOKEN"`,
	})
	cmd.PersistentFlags().String("platform-token", os.Getenv(EnvPlatformToken), "the gateway's platform token (env "+EnvPlatformToken+")")
	cmd.AddCommand(newList(), newCreate(), newStatus("suspend", "Suspend a tenant: its sign-ins, tokens and API keys are refused"),
		newStatus("resume", "Resume a suspended tenant"))
	return cmd
}

// client returns the admin API's client: the gateway of --gateway or of the
// current profile, with the platform token.
func client(cmd *cobra.Command) (*session.Client, error) {
	token, _ := cmd.Flags().GetString("platform-token")
	if token == "" {
		return nil, session.Usage(errNoToken)
	}
	o := session.Get(cmd)
	gw := o.Gateway
	if gw == "" {
		if path, err := o.ConfigPath(); err == nil {
			if f, err := config.Load(path); err == nil {
				gw = f.Profiles[f.Current].Gateway
			}
		}
	}
	if gw == "" {
		return nil, session.Usagef("no gateway: pass --gateway")
	}
	return session.NewStatic(gw, token)
}

// newList is `crmctl tenants list`.
func newList() *cobra.Command {
	var limit int
	var all bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the gateway's tenants",
		Example: "  crmctl tenants list --all -o json",
		Args:    session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			var params apiclient.ListTenantsParams
			if limit > 0 {
				params.Limit = &limit
			}
			items := []gatewayadmin.Tenant{}
			for {
				var p struct {
					Items      []gatewayadmin.Tenant `json:"items"`
					NextCursor string                `json:"nextCursor"`
				}
				res, err := c.API.ListTenants(cmd.Context(), &params)
				if _, err := session.Decode(res, err, &p); err != nil {
					return err
				}
				items = append(items, p.Items...)
				if !all || p.NextCursor == "" {
					break
				}
				params.Cursor = &p.NextCursor
			}
			return session.Print(cmd, items, columns)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "tenants per page (the server's default when 0)")
	cmd.Flags().BoolVar(&all, "all", false, "follow the cursors and print every page")
	return cmd
}

// newCreate is `crmctl tenants create`.
func newCreate() *cobra.Command {
	var t gatewayadmin.NewTenant
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a tenant and invite its first administrator",
		Example: `  crmctl tenants create --slug acme --name "Acme Ltd" --domain acme.test --tier standard \
    --admin-email ada@acme.test --admin-name "Ada Lovelace" -o json`,
		Args: session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if t.Domains == nil {
				t.Domains = []string{}
			}
			var out struct {
				Tenant gatewayadmin.Tenant     `json:"tenant"`
				Admin  gatewayadmin.Invitation `json:"admin"`
			}
			body, err := json.Marshal(t)
			if err != nil {
				return err
			}
			res, err := c.API.CreateTenantWithBody(cmd.Context(), "application/json", bytes.NewReader(body))
			if _, err := session.Decode(res, err, &out); err != nil {
				return err
			}
			return session.Print(cmd, out, []string{"tenant", "admin"})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&t.Slug, "slug", "", "the tenant's slug (required)")
	fs.StringVar(&t.Name, "name", "", "the tenant's name (required)")
	fs.StringSliceVar(&t.Domains, "domain", nil, "an email domain of the tenant; repeatable")
	fs.StringVar(&t.Tier, "tier", "", "the tenant's tier (the gateway's default when empty)")
	fs.StringVar(&t.Admin.Email, "admin-email", "", "the first administrator's email (required)")
	fs.StringVar(&t.Admin.Name, "admin-name", "", "the first administrator's name")
	for _, f := range []string{"slug", "name", "admin-email"} {
		_ = cmd.MarkFlagRequired(f) // the flag exists
	}
	return cmd
}

// newStatus is `crmctl tenants suspend|resume ID`.
func newStatus(verb, short string) *cobra.Command {
	return &cobra.Command{
		Use:     verb + " ID",
		Short:   short,
		Example: "  crmctl tenants " + verb + " 0193a0c4-5f1e-7c2a-9d4b-2f8e1a6b3c7d",
		Args:    session.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			call := c.API.SuspendTenant
			if verb == "resume" {
				call = c.API.ResumeTenant
			}
			var t gatewayadmin.Tenant
			res, err := call(cmd.Context(), args[0])
			if _, err := session.Decode(res, err, &t); err != nil {
				return err
			}
			return session.Print(cmd, t, columns)
		},
	}
}
