// Command crmctl is Rapport's command-line client: it signs in to a
// gateway and reads and writes a tenant's records through the public API.
package main

import (
	"os"

	"github.com/rapport-crm/rapport/crmctl/internal/cli"
)

func main() {
	os.Exit(cli.Execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
