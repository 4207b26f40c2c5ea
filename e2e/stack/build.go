package stack

import (
	"context"
	"path/filepath"

	"github.com/rapport-crm/rapport/libs/proc"
)

// Binaries are the paths of the built service binaries.
type Binaries struct {
	Gateway   string
	Contacts  string
	Sales     string
	Support   string
	Marketing string
	Reporting string
	// Crmctl is the command-line client (crmctl/cmd/crmctl).
	Crmctl string
}

// Build compiles services/gateway/cmd/gateway, services/contacts/cmd/contacts,
// services/sales/cmd/sales, services/support/cmd/support,
// services/marketing/cmd/marketing and services/reporting/cmd/reporting,
// and crmctl/cmd/crmctl, from the repository at root (the directory holding
// go.work) into dir, with one go build.
func Build(ctx context.Context, root, dir string) (Binaries, error) {
	b := Binaries{Gateway: filepath.Join(dir, "gateway"), Contacts: filepath.Join(dir, "contacts"), Sales: filepath.Join(dir, "sales"),
		Support: filepath.Join(dir, "support"), Marketing: filepath.Join(dir, "marketing"),
		Reporting: filepath.Join(dir, "reporting"), Crmctl: filepath.Join(dir, "crmctl")}
	return b, proc.Build(ctx, root, dir, "./services/gateway/cmd/gateway", "./services/contacts/cmd/contacts", "./services/sales/cmd/sales",
		"./services/support/cmd/support", "./services/marketing/cmd/marketing",
		"./services/reporting/cmd/reporting", "./crmctl/cmd/crmctl")
}
