package starter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/rapport-crm/rapport/libs/version"
)

// CLI is the command line every program of the platform that owns a
// database has (the services through Main, the gateway):
//
//	<prog>          serve (Serve)
//	<prog> version  print "<prog> <version> <revision>" (libs/version)
//	<prog> migrate  apply Schema's migrations as DATABASE_MIGRATE_URL's role,
//	                granting DML to DATABASE_URL's role, then exit
type CLI struct {
	Schema *Schema // its Prog names the program
	// Serve serves until SIGINT or SIGTERM and returns the exit status.
	Serve func() int
	// Getenv reads the environment; nil is os.Getenv.
	Getenv func(string) string
	// Stdout and Stderr receive the version and the errors of the
	// command line; nil are os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
}

// Run runs the command line args (os.Args[1:]) and returns the exit status:
// 0 when done, 1 when the work failed (logged), 2 for a bad command line or
// a bad configuration (one line naming the variable).
func (c CLI) Run(args []string) int {
	getenv, stdout, stderr := c.Getenv, c.Stdout, c.Stderr
	if getenv == nil {
		getenv = os.Getenv
	}
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	prog := c.Schema.prog
	if len(args) == 0 {
		return c.Serve()
	}
	switch args[0] {
	case "version":
		if len(args) == 1 {
			fmt.Fprintln(stdout, version.String(prog))
			return 0
		}
	case "migrate":
		if len(args) == 1 {
			cfg, err := ParseMigrateConfig(getenv)
			if err != nil {
				fmt.Fprintf(stderr, "%s migrate: configuration: %v\n", prog, err)
				return 2
			}
			return exec(prog, cfg.LogLevel, stderr, func(ctx context.Context, logger *slog.Logger) error {
				return c.Schema.Migrate(ctx, cfg, logger)
			})
		}
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\nusage: %s [version | migrate]\n", prog, args, prog)
	return 2
}
