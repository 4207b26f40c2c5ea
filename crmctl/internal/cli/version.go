package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
	"github.com/rapport-crm/rapport/libs/version"
)

// newVersion is `crmctl version`.
func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print crmctl's version and revision",
		Example: "  crmctl version",
		Args:    session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), version.String("crmctl"))
			return err
		},
	}
}
