// Command marketing runs the marketing service: the audience, segments,
// campaigns, templates, consent-aware sends with tracking, journeys, web
// forms and attribution over HTTP, with events through the outbox.
// libs/starter does the running; marketing.Starter says what.
package main

import (
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing"
)

func main() { starter.Main(marketing.Starter()) }
