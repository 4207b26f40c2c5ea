package resources

import (
	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// newGet is `crmctl <resource> get ID`.
func newGet(r Resource) *cobra.Command {
	return &cobra.Command{
		Use:     "get ID",
		Short:   "Print one " + r.Singular,
		Example: "  crmctl " + r.Name + " get 0193a0c4-5f1e-7c2a-9d4b-2f8e1a6b3c7d -o yaml",
		Args:    session.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := session.NewClient(cmd)
			if err != nil {
				return err
			}
			var rec map[string]any
			res, err := callsOf[r.Name].get(cmd.Context(), c.API, args[0])
			if _, err := session.Decode(res, err, &rec); err != nil {
				return err
			}
			return session.Print(cmd, rec, r.Columns)
		},
	}
}
