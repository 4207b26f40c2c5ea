package registry

// The services' names.
const (
	Contacts  = "contacts"
	Sales     = "sales"
	Marketing = "marketing"
	Support   = "support"
	Reporting = "reporting"
	Gateway   = "gateway"
)

// Default is Rapport's registry (DESIGN §1): the services that exist and
// those planned, in the launcher's port order, the gateway last. Each call
// returns a fresh copy, which a test may extend without touching another's.
func Default() Registry {
	return Registry{
		{Name: Contacts, Context: "contacts", Built: true, Routes: []Route{
			{Prefix: "/v1/tags"},
			{Prefix: "/v1/custom-fields"},
			{Prefix: "/v1/settings"},
			{Prefix: "/v1/saved-views", OwnWrites: true},
			{Prefix: "/v1/duplicate-scans"},
			{Prefix: "/v1/contacts", Data: PersonalData, Exports: []string{"personal-data"}},
			{Prefix: "/v1/contacts/search", Query: true, Data: PersonalData},
			{Prefix: "/v1/contacts/export", Data: ExportData},
			{Prefix: "/v1/accounts", Data: PersonalData},
			{Prefix: "/v1/accounts/search", Query: true, Data: PersonalData},
			{Prefix: "/v1/accounts/export", Data: ExportData},
			{Prefix: "/v1/activities", Data: PersonalData},
			{Prefix: "/v1/calls", Data: PersonalData},
			{Prefix: "/v1/lookup", Data: PersonalData},
			// An import's error report streams rows of the file out: every
			// read of an import is audited as an export.
			{Prefix: "/v1/imports", Data: ExportData},
		}},
		{Name: Sales, Context: "sales", Built: true, Routes: []Route{
			{Prefix: "/v1/forecasts"},
			{Prefix: "/v1/leads"},
			{Prefix: "/v1/lead-custom-fields"},
			{Prefix: "/v1/lead-imports", Data: ExportData},
			{Prefix: "/v1/lead-assignment-rules"},
			{Prefix: "/v1/lead-scoring-rules"},
			{Prefix: "/v1/lead-settings"},
			{Prefix: "/v1/opportunities"},
			{Prefix: "/v1/opportunity-custom-fields"},
			{Prefix: "/v1/pipelines"},
			{Prefix: "/v1/price-books"},
			{Prefix: "/v1/products"},
			{Prefix: "/v1/quotes"},
		}},
		// The audience is the contacts' projection, and segments, campaigns,
		// journeys, suppressions, forms and attribution hang people under
		// them (members, enrolments, addresses, submissions, touches): their
		// reads are audited; templates, sends' counts, the sending settings and the
		// feedback endpoints' configuration hold none.
		{Name: Marketing, Context: "marketing", Built: true, Routes: []Route{
			{Prefix: "/v1/audience", Data: PersonalData},
			{Prefix: "/v1/segments", Data: PersonalData},
			{Prefix: "/v1/campaigns", Data: PersonalData},
			{Prefix: "/v1/templates"},
			{Prefix: "/v1/sends"},
			{Prefix: "/v1/marketing-settings"},
			{Prefix: "/v1/suppressions", Data: PersonalData},
			{Prefix: "/v1/marketing-feedback"},
			{Prefix: "/v1/journeys", Data: PersonalData},
			{Prefix: "/v1/forms", Data: PersonalData},
			{Prefix: "/v1/attribution", Data: PersonalData},
		}},
		// Cases hold customers' words, names and addresses, and so does a
		// macro rendered for one: their reads are audited; the knowledge base, the SLA's configuration and the
		// mailboxes hold none.
		{Name: Support, Context: "support", Built: true, Routes: []Route{
			{Prefix: "/v1/cases", Data: PersonalData},
			{Prefix: "/v1/case-custom-fields"},
			{Prefix: "/v1/case-settings"},
			{Prefix: "/v1/kb"},
			{Prefix: "/v1/sla-policies"},
			{Prefix: "/v1/business-calendars"},
			{Prefix: "/v1/support-mailboxes"},
			{Prefix: "/v1/inbound-email", Data: PersonalData},
			{Prefix: "/v1/support-queues"},
			{Prefix: "/v1/routing-rules"},
			{Prefix: "/v1/support-agents"},
			{Prefix: "/v1/support-macros", Data: PersonalData},
			{Prefix: "/v1/service-contracts"},
			{Prefix: "/v1/work-orders", Data: PersonalData},
			{Prefix: "/v1/surveys", Data: PersonalData},
			{Prefix: "/v1/chats", Data: PersonalData},
		}},
		// Reporting consumes every topic into its read models; it publishes
		// its dashboards', schedules', models' and rebuilds' events. A
		// report's drill-down lists people by name: its reads are audited.
		{Name: Reporting, Context: "reporting", Built: true, Routes: []Route{
			{Prefix: "/v1/reports", Data: PersonalData},
			{Prefix: "/v1/predictions"},
			{Prefix: "/v1/dashboards"},
			{Prefix: "/v1/report-schedules"},
			{Prefix: "/admin/v1/rebuild"},
		}},
		// The gateway publishes its webhook subscriptions' events
		// (rapport.webhooks.v1, from its outbox) and reads every topic into
		// webhook deliveries.
		{Name: Gateway, Context: "webhooks", Entry: true, Built: true},
	}
}
