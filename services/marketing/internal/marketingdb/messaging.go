package marketingdb

// The entities and verbs of package messaging's events: a send created,
// completed (none of its messages left to go out) or canceled, and each
// message sent or failed.
const (
	EntitySend    = "send"
	EntityMessage = "message"

	VerbCompleted = "completed"
	VerbCanceled  = "canceled"
	VerbSent      = "sent"
	VerbFailed    = "failed"
)

// messagingEvents are the events package messaging publishes.
var messagingEvents = map[string][]string{
	EntitySend:    {VerbCreated, VerbCompleted, VerbCanceled, VerbABDecided},
	EntityMessage: {VerbSent, VerbFailed},
}
