// Command reporting runs the reporting service: read models built from
// every topic, reports, predictions and dashboards over HTTP.
// libs/starter does the running; reporting.Starter says what.
package main

import (
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting"
)

func main() { starter.Main(reporting.Starter()) }
