package resources

import (
	"bytes"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// newCreate is `crmctl <resource> create`.
func newCreate(r Resource) *cobra.Command {
	var b bodyFlags
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a " + r.Singular + " from a file or --set fields",
		Example: "  crmctl " + r.Name + " create -f " + r.Singular + ".yaml\n" +
			"  crmctl " + r.Name + " create --set " + r.Example,
		Args: session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			body, err := b.body(cmd.InOrStdin())
			if err != nil {
				return err
			}
			c, err := session.NewClient(cmd)
			if err != nil {
				return err
			}
			var rec map[string]any
			res, err := callsOf[r.Name].create(cmd.Context(), c.API, bytes.NewReader(body))
			if _, err := session.Decode(res, err, &rec); err != nil {
				return err
			}
			return session.Print(cmd, rec, r.Columns)
		},
	}
	b.add(cmd)
	return cmd
}

// newUpdate is `crmctl <resource> update ID`: a JSON merge patch with
// If-Match, from --version or from the record's current version.
func newUpdate(r Resource) *cobra.Command {
	var b bodyFlags
	var version int64
	cmd := &cobra.Command{
		Use:   "update ID",
		Short: "Change a " + r.Singular + " with a merge patch (If-Match from --version or a GET)",
		Example: "  crmctl " + r.Name + " update ID -f patch.json\n" +
			"  crmctl " + r.Name + " update ID --version 3 --set " + r.Example,
		Args: session.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := b.body(cmd.InOrStdin())
			if err != nil {
				return err
			}
			c, err := session.NewClient(cmd)
			if err != nil {
				return err
			}
			var tag string
			if cmd.Flags().Changed("version") {
				tag = quoteVersion(strconv.FormatInt(version, 10))
			} else {
				var cur map[string]any
				res, err := callsOf[r.Name].get(cmd.Context(), c.API, args[0])
				h, err := session.Decode(res, err, &cur)
				if err != nil {
					return err
				}
				tag = h.Get("ETag")
				if v, ok := cur["version"]; ok {
					tag = quoteVersion(v)
				}
			}
			var rec map[string]any
			res, err := callsOf[r.Name].update(cmd.Context(), c.API, args[0], tag, bytes.NewReader(body))
			if _, err := session.Decode(res, err, &rec); err != nil {
				return err
			}
			return session.Print(cmd, rec, r.Columns)
		},
	}
	b.add(cmd)
	cmd.Flags().Int64Var(&version, "version", 0, "the version the change applies to (default: the current one, read first)")
	return cmd
}
