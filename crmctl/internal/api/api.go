// Package api holds `crmctl api`, a raw signed-in request to the gateway.
package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// errStatus is an answer of status 400 or more, whose body was printed.
var errStatus = errors.New("the gateway answered")

// New returns `crmctl api METHOD PATH`.
func New() *cobra.Command {
	var data string
	var headers []string
	cmd := &cobra.Command{
		Use:   "api METHOD PATH",
		Short: "Send a signed-in request to the gateway and print the answer's body",
		Long: "api sends METHOD PATH (relative to the gateway, with its query) with the\n" +
			"login's token and prints the answer's body as it is on standard output. It\n" +
			"exits with status 1 when the answer's status is 400 or more.",
		Example: `  crmctl api GET /v1/me
  crmctl api POST /v1/contacts -d '{"firstName":"Ada","lastName":"Lovelace"}'
  crmctl api PATCH /v1/contacts/ID -d @patch.json -H 'If-Match: "3"' -H 'Content-Type: application/merge-patch+json'`,
		Args: session.Args(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			method, path := strings.ToUpper(args[0]), args[1]
			if !strings.HasPrefix(path, "/") {
				return session.Usagef("PATH must start with /: %q", path)
			}
			var body []byte
			if data != "" {
				body = []byte(data)
				if name, ok := strings.CutPrefix(data, "@"); ok {
					b, err := readFile(cmd, name)
					if err != nil {
						return err
					}
					body = b
				}
			}
			hdr := http.Header{}
			for _, h := range headers {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					return session.Usagef("-H %q: want Name: value", h)
				}
				hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
			c, err := session.NewClient(cmd)
			if err != nil {
				return err
			}
			res, err := c.Do(cmd.Context(), method, path, body, hdr)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			if _, err := io.Copy(cmd.OutOrStdout(), res.Body); err != nil {
				return err
			}
			if res.StatusCode >= 400 {
				return fmt.Errorf("%w %s", errStatus, res.Status)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&data, "data", "d", "", "the request body, or @file (@- for standard input)")
	cmd.Flags().StringArrayVarP(&headers, "header", "H", nil, "a request header, Name: value; repeatable")
	return cmd
}

// readFile reads name, or standard input for "-".
func readFile(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(name)
}
