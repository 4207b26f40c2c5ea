package marketingdb

// The entities and verbs of package tracking's events: what recipients did
// with a message (message.delivered|opened|clicked|bounced|complained,
// subject the message; EntityMessage is messaging's) and a contact's
// unsubscribe (contact.unsubscribed, subject the contact).
const (
	EntityContact = "contact"

	VerbDelivered    = "delivered"
	VerbOpened       = "opened"
	VerbClicked      = "clicked"
	VerbBounced      = "bounced"
	VerbComplained   = "complained"
	VerbUnsubscribed = "unsubscribed"
)

// trackingEvents are the events package tracking publishes.
var trackingEvents = map[string][]string{
	EntityMessage: {VerbDelivered, VerbOpened, VerbClicked, VerbBounced, VerbComplained},
	EntityContact: {VerbUnsubscribed},
}
