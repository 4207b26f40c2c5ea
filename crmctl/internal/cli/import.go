package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rapport-crm/rapport/crmctl/internal/importer"
	"github.com/rapport-crm/rapport/crmctl/internal/output"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// newImport is `crmctl import contacts|accounts|leads FILE.csv`.
func newImport() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import a CSV file of contacts, accounts or leads",
		Long: "import streams a CSV file to the service's import (it is never held in memory), shows\n" +
			"the upload and then the job's rows with their rate and the time left (on a terminal;\n" +
			"otherwise one summary line), and saves the rows that failed with why beside the file\n" +
			"as FILE.errors.csv. It exits with status 1 when rows failed. Interrupted, it says\n" +
			"which import goes on in the service and how to follow it again (--job).",
		Example: `  crmctl import contacts people.csv
  crmctl import contacts people.csv --mapping 'First Name=firstName,E-mail=emails' --duplicates update
  crmctl import leads leads.csv --mapping @mapping.json
  crmctl import contacts people.csv --job 01937c1e-…   # follow an import started before`,
	}
	for _, kind := range importer.Kinds {
		cmd.AddCommand(newImportKind(kind))
	}
	return cmd
}

// newImportKind is `crmctl import <kind> FILE.csv`.
func newImportKind(kind string) *cobra.Command {
	var mapping, policy, job string
	cmd := &cobra.Command{
		Use:     kind + " FILE.csv",
		Short:   "Import " + kind + " from a CSV file",
		Example: "  crmctl import " + kind + " " + kind + ".csv --mapping 'Name=name'",
		Args:    session.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := importer.ParseMapping(mapping)
			if err != nil {
				return session.Usage(err)
			}
			if policy != "" && !slices.Contains([]string{"skip", "update", "create"}, policy) {
				return session.Usagef("--duplicates %q: one of skip, update, create", policy)
			}
			if kind == "accounts" && (policy != "" || job != "") {
				return session.Usagef("accounts are created row by row: --duplicates and --job apply to contacts and leads")
			}
			if _, err := os.Stat(args[0]); err != nil && job == "" {
				return err
			}
			c, err := session.NewClient(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			res, err := importer.Run(ctx, c, importer.Options{
				Kind: kind, File: args[0], Mapping: m, DuplicatePolicy: policy, Job: job, Progress: progressWriter(cmd),
			})
			if err != nil {
				return err
			}
			if err := printResult(cmd, res); err != nil {
				return err
			}
			if res.Failed > 0 {
				return fmt.Errorf("%w: %d of %d rows, listed in %s", importer.ErrRowsFailed, res.Failed, res.RowsRead, res.ErrorFile)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&mapping, "mapping", "", "columns to fields: 'Header=field,…' or @file.json (default: the service's suggestion from the header)")
	if kind != "accounts" {
		f.StringVar(&policy, "duplicates", "", "what a row matching an existing record does: skip (default), update or create")
		f.StringVar(&job, "job", "", "follow the import with this id (started by an interrupted run) instead of uploading the file")
	}
	return cmd
}

// printResult prints the import's end: one summary line, or the result in
// the JSON or YAML that -o asks.
func printResult(cmd *cobra.Command, res importer.Result) error {
	switch session.Get(cmd).Output {
	case output.JSON, output.YAML:
		return session.Print(cmd, res, nil)
	}
	_, err := fmt.Fprintln(cmd.OutOrStdout(), res.Summary())
	return err
}

// progressWriter is where progress bars are drawn: standard error when
// standard output is a terminal, else nowhere.
func progressWriter(cmd *cobra.Command) io.Writer {
	f, ok := cmd.OutOrStdout().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return cmd.ErrOrStderr()
}
