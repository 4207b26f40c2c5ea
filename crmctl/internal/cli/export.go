package cli

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/exporter"
	"github.com/rapport-crm/rapport/crmctl/internal/output"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// newExport is `crmctl export contacts|accounts FILE.csv|FILE.xlsx`.
func newExport() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export contacts or accounts to a CSV or XLSX file",
		Long: "export streams every record a list query finds (--filter, --q, --sort, --view) into\n" +
			"FILE, CSV or XLSX by its extension, through a temporary file renamed once whole: a\n" +
			"file that is there is never a cut-off export. The bar counts the bytes received.\n" +
			"(The target is an argument: -o is crmctl's output format.)",
		Example: `  crmctl export contacts contacts.csv
  crmctl export contacts leads.xlsx --filter '{"field":"lifecycleStage","op":"eq","value":"lead"}'
  crmctl export accounts accounts.csv --q acme --sort name`,
	}
	for _, kind := range exporter.Kinds {
		cmd.AddCommand(newExportKind(kind))
	}
	return cmd
}

// newExportKind is `crmctl export <kind> FILE`.
func newExportKind(kind string) *cobra.Command {
	o := exporter.Options{Kind: kind}
	cmd := &cobra.Command{
		Use:     kind + " FILE.csv|FILE.xlsx",
		Short:   "Export " + kind + " to a file",
		Example: "  crmctl export " + kind + " " + kind + ".xlsx --sort -updatedAt",
		Args:    session.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			c, err := session.NewClient(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o.Progress = progressWriter(cmd)
			res, err := exporter.Run(ctx, c, o)
			if err != nil {
				return err
			}
			switch session.Get(cmd).Output {
			case output.JSON, output.YAML:
				return session.Print(cmd, res, nil)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "exported %d %s to %s (%d bytes in %s)\n", res.Rows, kind, res.File, res.Bytes, res.Took.Round(1e6))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Filter, "filter", "", "a filter in Rapport's filter language (JSON)")
	f.StringVar(&o.Q, "q", "", "search text")
	f.StringVar(&o.Sort, "sort", "", "up to 3 fields, comma-separated, - for descending")
	f.StringVar(&o.View, "view", "", "a saved view's id")
	f.BoolVar(&o.Deleted, "deleted", false, "export the deleted records")
	return cmd
}
