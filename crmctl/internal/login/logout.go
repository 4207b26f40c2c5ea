package login

import (
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
	"github.com/rapport-crm/rapport/libs/apiclient"
)

// NewLogout returns `crmctl logout`.
func NewLogout() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Revoke the login's tokens at the gateway and forget them",
		Example: `  crmctl logout
  crmctl logout --gateway https://crm.example.com --tenant acme`,
		Args: session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := session.Get(cmd)
			path, err := o.ConfigPath()
			if err != nil {
				return err
			}
			file, err := config.Load(path)
			if err != nil {
				return err
			}
			p, ok := file.Lookup(o.Gateway, o.Tenant)
			if !ok {
				return session.ErrNotLoggedIn
			}
			if p.RefreshToken != "" {
				c, err := session.NewStatic(p.Gateway, "")
				if err != nil {
					return err
				}
				res, err := c.API.Logout(cmd.Context(), &apiclient.LogoutParams{}, apiclient.RefreshRequest{RefreshToken: &p.RefreshToken})
				if _, err := session.Decode(res, err, nil); err != nil {
					if p, ok := err.(*session.Problem); !ok || p.Status != http.StatusUnauthorized {
						return err
					}
				}
			}
			file.Remove(p.Gateway, p.Tenant)
			if err := file.Save(path); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "logged out of %s (tenant %s)\n", p.Gateway, p.Tenant)
			return nil
		},
	}
}
