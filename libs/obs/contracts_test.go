package obs_test

import (
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// The relay and the consumer report through small interfaces so they do not
// import obs; these assertions keep *obs.Metrics fitting both.
var (
	_ outbox.Metrics = (*obs.Metrics)(nil)
	_ events.Metrics = (*obs.Metrics)(nil)
)
