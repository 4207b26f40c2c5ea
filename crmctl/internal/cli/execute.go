package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// Exit statuses of crmctl.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed (an error answer, an expired login, …)
	ExitUsage = 2 // the command line is wrong
)

// Execute runs crmctl with args and returns its exit status, printing
// errors as "error: …" on errw.
func Execute(args []string, in io.Reader, out, errw io.Writer) int {
	root := NewRoot(in, out, errw)
	root.SetArgs(args)
	started := false
	pre := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, a []string) error {
		if err := pre(cmd, a); err != nil {
			return err
		}
		started = true
		return nil
	}
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	msg := err.Error()
	if errors.Is(err, session.ErrExpired) {
		msg = session.ErrExpired.Error() // without the request a transport error names
	}
	fmt.Fprintln(errw, "error: "+msg)
	var usage *session.UsageError
	// cobra checks flags, arguments and sub-command names before it runs
	// the persistent pre-run: an error before it is the command line's.
	if errors.As(err, &usage) || !started {
		fmt.Fprintf(errw, "Run '%s --help' for usage.\n", strings.TrimSpace(cmd.CommandPath()))
		return ExitUsage
	}
	return ExitError
}
