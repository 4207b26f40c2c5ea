package marketingdb

// The entities and verbs of package campaigns's events: EntityCampaign is
// a campaign (VerbResponded: one of its members responded, set by hand);
// EntityCampaignMember a contact's membership of a campaign, added or its
// status moved (VerbStatusChanged).
const (
	EntityCampaign       = "campaign"
	EntityCampaignMember = "campaign_member"
	VerbResponded        = "responded"
	VerbAdded            = "added"
	VerbStatusChanged    = "status_changed"
)

// campaignsEvents are the events package campaigns publishes.
var campaignsEvents = map[string][]string{
	EntityCampaign:       {VerbCreated, VerbUpdated, VerbDeleted, VerbResponded},
	EntityCampaignMember: {VerbAdded, VerbStatusChanged},
}
