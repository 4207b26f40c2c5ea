// Package login holds `crmctl login` (password or SSO) and `crmctl logout`.
package login

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rapport-crm/rapport/crmctl/internal/config"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
	"github.com/rapport-crm/rapport/libs/apiclient"
)

// errNoPassword is a password login without a terminal or --password-stdin.
var errNoPassword = errors.New("no terminal to ask the password on; pass it with --password-stdin")

// flags are login's own flags.
type flags struct {
	email         string
	passwordStdin bool
	sso           bool
	noBrowser     bool
}

// New returns `crmctl login`.
func New() *cobra.Command {
	var f flags
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to a tenant of a gateway and keep the tokens",
		Long: "login signs in with an email and password (asked on the terminal without echo,\n" +
			"or read from standard input with --password-stdin), or with the tenant's\n" +
			"single sign-on (--sso) in the browser, and stores the tokens in the\n" +
			"configuration file as the current profile.",
		Example: `  crmctl login --gateway https://crm.example.com --tenant acme --email ada@acme.test
  echo "$PASSWORD" | crmctl login --gateway https://crm.example.com --tenant acme --email ada@acme.test --password-stdin
  crmctl login --gateway https://crm.example.com --tenant acme --sso
  crmctl login --gateway https://crm.example.com --tenant acme --sso --no-browser`,
		Args: session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd, f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.email, "email", "", "the user's email (password login)")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from standard input")
	fs.BoolVar(&f.sso, "sso", false, "sign in with the tenant's single sign-on in the browser")
	fs.BoolVar(&f.noBrowser, "no-browser", false, "with --sso, print the URL to open instead of opening a browser")
	cmd.MarkFlagsMutuallyExclusive("sso", "email")
	cmd.MarkFlagsMutuallyExclusive("sso", "password-stdin")
	return cmd
}

// run signs in and stores the profile.
func run(cmd *cobra.Command, f flags) error {
	o := session.Get(cmd)
	path, err := o.ConfigPath()
	if err != nil {
		return err
	}
	file, err := config.Load(path)
	if err != nil {
		return err
	}
	if cur, ok := file.Profiles[file.Current]; ok {
		if o.Gateway == "" {
			o.Gateway = cur.Gateway
		}
		if o.Tenant == "" {
			o.Tenant = cur.Tenant
		}
	}
	if o.Gateway == "" || o.Tenant == "" {
		return session.Usagef("login needs --gateway and --tenant")
	}
	p := config.Profile{Gateway: o.Gateway, Tenant: o.Tenant}
	var tok session.Tokens
	if f.sso {
		tok, err = ssoLogin(cmd, o.Gateway, o.Tenant, !f.noBrowser)
	} else {
		if f.email == "" {
			return session.Usagef("login needs --email (or --sso)")
		}
		var pw string
		pw, err = password(cmd, f.passwordStdin)
		if err != nil {
			return err
		}
		p.Email = f.email
		tok, err = passwordLogin(cmd.Context(), o.Gateway, o.Tenant, f.email, pw)
	}
	if err != nil {
		return err
	}
	tok.Apply(&p)
	file.Put(p)
	if err := file.Save(path); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "logged in to %s (tenant %s)\n", p.Gateway, p.Tenant)
	return nil
}

// password reads the password from standard input (fromStdin) or asks it
// on the terminal without echo.
func password(cmd *cobra.Command, fromStdin bool) (string, error) {
	in := cmd.InOrStdin()
	if fromStdin {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", session.Usagef("--password-stdin: standard input holds no password")
		}
		return pw, nil
	}
	file, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return "", session.Usage(errNoPassword)
	}
	fmt.Fprint(cmd.ErrOrStderr(), "Password: ")
	b, err := term.ReadPassword(int(file.Fd()))
	fmt.Fprintln(cmd.ErrOrStderr())
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// passwordLogin posts the credentials to POST /v1/auth/login.
func passwordLogin(ctx context.Context, gateway, tenant, email, pw string) (session.Tokens, error) {
	var tok session.Tokens
	c, err := session.NewStatic(gateway, "")
	if err != nil {
		return tok, err
	}
	res, err := c.API.Login(ctx, apiclient.LoginRequest{Tenant: tenant, Email: email, Password: pw})
	_, err = session.Decode(res, err, &tok)
	return tok, err
}
