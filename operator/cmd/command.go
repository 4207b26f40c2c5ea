package main

import (
	"fmt"
	"io"

	"github.com/rapport-crm/rapport/libs/version"
)

// command runs the operator's command line args (os.Args[1:]) and returns
// the exit status: no argument runs serve; `operator version` prints
// "operator <version> <revision>" (libs/version) and exits 0; anything else
// prints the usage and exits 2.
func command(args []string, stdout, stderr io.Writer, serve func() int) int {
	switch {
	case len(args) == 0:
		return serve()
	case len(args) == 1 && args[0] == "version":
		fmt.Fprintln(stdout, version.String("operator"))
		return 0
	}
	fmt.Fprintf(stderr, "operator: unknown command %q\nusage: operator [version]\n", args)
	return 2
}
