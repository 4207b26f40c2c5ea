package marketingdb

// The entities and verbs of package journeys's events: a journey created,
// updated, deleted, activated or paused; a contact enrolled in it, each
// step it ran, its end (completed, exited, converted: the goal reached);
// and a contact's change an update step asks for (contact_updated).
const (
	EntityJourney = "journey"

	VerbActivated      = "activated"
	VerbPaused         = "paused"
	VerbEnrolled       = "enrolled"
	VerbStepCompleted  = "step_completed"
	VerbExited         = "exited"
	VerbConverted      = "converted"
	VerbContactUpdated = "contact_updated"
)

// journeysEvents are the events package journeys publishes.
var journeysEvents = map[string][]string{
	EntityJourney: {VerbCreated, VerbUpdated, VerbDeleted, VerbActivated, VerbPaused, VerbEnrolled, VerbStepCompleted,
		VerbCompleted, VerbExited, VerbConverted, VerbContactUpdated},
}
