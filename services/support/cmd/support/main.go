// Command support runs the support service: customer-service cases from
// every channel, their SLAs, the knowledge base and the self-service
// portal over HTTP, with events through the outbox. libs/starter does the
// running; support.Starter says what.
package main

import (
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support"
)

func main() { starter.Main(support.Starter()) }
