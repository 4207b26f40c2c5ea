package ingest

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
)

// ErrBadPayload is an event whose data does not decode or lacks an id the
// read models need: the handler returns it, and the consumer retries the
// event and then dead-letters it to its topic's .dlq.
var ErrBadPayload = errs.New(errs.Invalid, "bad-payload", "the event's payload is unreadable")

// decodePayload reads ev's data into v: ErrBadPayload naming the event
// when it does not decode.
func decodePayload(ev events.Event, v any) error {
	if err := json.Unmarshal(ev.Data, v); err != nil {
		return ErrBadPayload.WithDetail("%s %s: payload unreadable", ev.Type, ev.ID).Wrap(err)
	}
	return nil
}

// requireIDs checks that each of kv's values (name, value pairs: "id",
// p.ID) is a uuid: ErrBadPayload naming the event and the field
// otherwise.
func requireIDs(ev events.Event, kv ...string) error {
	for i := 0; i+1 < len(kv); i += 2 {
		if err := uuid.Validate(kv[i+1]); err != nil {
			return ErrBadPayload.WithDetail("%s %s: %s is not a uuid", ev.Type, ev.ID, kv[i]).Wrap(fmt.Errorf("%q: %w", kv[i+1], err))
		}
	}
	return nil
}

// nullable is s as the value of a nullable column (a uuid, a date): nil
// for "".
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
