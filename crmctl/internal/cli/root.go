// Package cli assembles crmctl's command tree and runs it.
package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/api"
	"github.com/rapport-crm/rapport/crmctl/internal/login"
	"github.com/rapport-crm/rapport/crmctl/internal/output"
	"github.com/rapport-crm/rapport/crmctl/internal/resources"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
	"github.com/rapport-crm/rapport/crmctl/internal/tenants"
)

// NewRoot returns crmctl's root command with every sub-command, reading
// from in and writing to out and errw.
func NewRoot(in io.Reader, out, errw io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "crmctl",
		Short: "Rapport CRM from the command line",
		Long: "crmctl signs in to a Rapport gateway and reads and writes a tenant's records\n" +
			"through the public API. Sign-ins are kept per gateway and tenant in the\n" +
			"configuration file (mode 0600).",
		Example: `  crmctl login --gateway https://crm.example.com --tenant acme --email ada@acme.test
  crmctl contacts list --filter '{"field":"lastName","op":"eq","value":"Lovelace"}' -o json
  crmctl api GET /v1/me`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// cobra checks these after the persistent pre-run; here their
			// errors are usage errors like the other flag errors.
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return session.Usage(err)
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return session.Usage(err)
			}
			return session.Usage(output.Check(session.Get(cmd).Output))
		},
	}
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errw)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return session.Usage(err) })
	session.Register(root)

	root.AddCommand(login.New(), login.NewLogout(), tenants.New(), api.New(), newVersion(), newCompletion())
	root.AddCommand(resources.Commands()...)
	root.AddCommand(newImport(), newExport(), newEvents())
	return root
}
