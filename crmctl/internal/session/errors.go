package session

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// ErrExpired is returned when the gateway refuses the profile's tokens and
// they cannot be refreshed.
var ErrExpired = errors.New("your login has expired; run crmctl login")

// ErrNotLoggedIn is returned when no profile matches the gateway and tenant.
var ErrNotLoggedIn = errors.New("not logged in; run crmctl login")

// FieldError is one invalid field a problem names.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Problem is an error answer of the gateway (application/problem+json).
type Problem struct {
	Status int          `json:"status"`
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors,omitempty"`
}

// Error renders the problem as "<title>: <detail> (field: a, b)".
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Title)
	if b.Len() == 0 {
		fmt.Fprintf(&b, "HTTP %d", p.Status)
	}
	if p.Detail != "" && p.Detail != p.Title {
		b.WriteString(": " + p.Detail)
	}
	if len(p.Errors) > 0 {
		fields := make([]string, 0, len(p.Errors))
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		b.WriteString(" (field: " + strings.Join(fields, ", ") + ")")
	}
	return b.String()
}

// UsageError is a command line crmctl cannot run: a wrong flag, argument
// or value. crmctl exits with status 2 on it.
type UsageError struct{ Err error }

// Error returns the wrapped error's message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *UsageError) Unwrap() error { return e.Err }

// Usage marks err as a usage error (nil stays nil).
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{Err: err}
}

// Usagef is Usage of a formatted error.
func Usagef(format string, a ...any) error { return Usage(fmt.Errorf(format, a...)) }

// Args wraps a cobra argument validator so that its errors are usage errors.
func Args(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error { return Usage(v(cmd, args)) }
}

// Group makes cmd a group of sub-commands: run without one it prints its
// help, and with an unknown one it fails with a usage error.
func Group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return Usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return cmd.Help()
	}
	return cmd
}
