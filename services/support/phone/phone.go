// Package phone is the phone channel of support (issue 18, point 3): a
// call logged through contacts' call API with a support disposition opens
// a case, or updates the contact's recent one.
//
// Contacts' activities carry no disposition of their own (a call's
// outcome is answered, noAnswer, busy, voicemail or failed: how the call
// went, not what it was about). A call has a support disposition when its
// activity's related records name one: {"service":"support",
// "type":"disposition","id":"<disposition>"} (such as "complaint" or
// "repair"); the disposition becomes the case's type.
//
// The consumer group ConsumerGroup follows contacts' topic: on
// activity.created of such a call, when the call's contact has an open
// (neither solved nor closed) phone case created within Window, the call
// is appended to it as an internal note; otherwise a case (channel phone,
// the activity's contact and account) is opened with the call as its
// first note. The note's Message-ID is the activity's, so an event
// delivered again adds nothing.
package phone

import (
	"time"

	"github.com/rapport-crm/rapport/libs/registry"
)

// ConsumerGroup is the consumer group of the phone channel on contacts'
// topic (Contexts).
const ConsumerGroup = "support-calls"

// Contexts are the contexts whose topics the phone channel follows.
var Contexts = []string{registry.Contacts}

// Channel is the channel of the cases and notes calls make; Actor is who
// the phone channel acts as in cases.
const (
	Channel = "phone"
	Actor   = "system:phone"
)

// Window is how recent a contact's open phone case must be for a call to
// update it rather than open another.
const Window = 24 * time.Hour

// The reference that gives a call its support disposition: related
// {"service": DispositionService, "type": DispositionType, "id": <the
// disposition>}.
const (
	DispositionService = "support"
	DispositionType    = "disposition"
)
