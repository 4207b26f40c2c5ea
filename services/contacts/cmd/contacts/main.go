// Command contacts runs the contacts service: accounts, contacts, tags,
// custom fields, saved views and settings over HTTP, with events through
// the outbox. libs/starter does the running; contacts.Starter says what.
package main

import (
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/contacts"
)

func main() { starter.Main(contacts.Starter()) }
