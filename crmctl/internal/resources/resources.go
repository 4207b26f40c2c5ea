// Package resources holds the record commands: contacts, accounts, leads,
// opportunities and cases, each with get, list, create and update.
package resources

import (
	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// Resource is one kind of record of the public API.
type Resource struct {
	// Name is the command's name, the API's collection ("contacts") and
	// the key of its calls in callsOf.
	Name string
	// Singular names one record in help texts ("contact").
	Singular string
	// Columns are the table's and CSV's default columns.
	Columns []string
	// Example is a field=value pair that create's examples set.
	Example string
}

// All lists the resources crmctl has commands for.
var All = []Resource{
	{Name: "contacts", Singular: "contact", Columns: []string{"id", "displayName", "firstName", "lastName", "accountId", "version"},
		Example: "firstName=Ada --set lastName=Lovelace --set emails='[{\"address\":\"ada@example.com\"}]'"},
	{Name: "accounts", Singular: "account", Columns: []string{"id", "name", "domain", "version"}, Example: "name=Acme --set domain=acme.test"},
	{Name: "leads", Singular: "lead", Columns: []string{"id", "firstName", "lastName", "company", "status", "version"},
		Example: "firstName=Grace --set lastName=Hopper --set company=Navy"},
	{Name: "opportunities", Singular: "opportunity", Columns: []string{"id", "name", "stageId", "amount", "closeDate", "version"},
		Example: "name='Renewal 2027' --set accountId=ACCOUNT_ID"},
	{Name: "cases", Singular: "case", Columns: []string{"id", "number", "subject", "status", "priority", "version"},
		Example: "subject='Cannot sign in' --set contactId=CONTACT_ID"},
}

// New returns the resource's command with its sub-commands.
func New(r Resource) *cobra.Command {
	cmd := session.Group(&cobra.Command{
		Use:   r.Name,
		Short: "Get, list, create and update " + r.Name,
		Example: "  crmctl " + r.Name + " list --limit 20\n" +
			"  crmctl " + r.Name + " get ID -o yaml",
	})
	cmd.AddCommand(newGet(r), newList(r), newCreate(r), newUpdate(r))
	return cmd
}

// Commands returns the commands of every resource of All.
func Commands() []*cobra.Command {
	out := make([]*cobra.Command, 0, len(All))
	for _, r := range All {
		out = append(out, New(r))
	}
	return out
}
