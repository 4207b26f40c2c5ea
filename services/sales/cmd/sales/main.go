// Command sales runs the sales service: pipelines and their stages over
// HTTP, with events through the outbox. libs/starter does the running;
// sales.Starter says what.
package main

import (
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales"
)

func main() { starter.Main(sales.Starter()) }
