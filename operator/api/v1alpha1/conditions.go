package v1alpha1

// Condition types of a Tenant, one per reconcile step, and Ready over all.
const (
	// ConditionDatabases: a dedicated tenant's databases, roles and their
	// Secrets exist.
	ConditionDatabases = "DatabasesReady"
	// ConditionTopics: a dedicated tenant's Kafka topics exist with their
	// partitions.
	ConditionTopics = "TopicsReady"
	// ConditionWorkloads: a dedicated tenant's namespace and per-service
	// objects are applied and match the spec. It does not wait for pods.
	ConditionWorkloads = "WorkloadsReady"
	// ConditionRegistered: the gateway holds the tenant with its name,
	// domains, tier and status.
	ConditionRegistered = "Registered"
	// ConditionReady: every step is done and the tenant is active.
	ConditionReady = "Ready"
)

// Condition reasons. Each failure reason names what failed; the message
// says how.
const (
	ReasonProvisioned    = "Provisioned"
	ReasonSharedTier     = "SharedTier"
	ReasonSuspended      = "Suspended"
	ReasonDeleting       = "Deleting"
	ReasonStepsPending   = "StepsPending"
	ReasonDomainConflict = "DomainConflict"
	ReasonSlugTaken      = "SlugTaken"

	ReasonSecretNotFound      = "SecretNotFound"
	ReasonDatabaseUnreachable = "DatabaseUnreachable"
	ReasonDatabaseFailed      = "DatabaseFailed"
	ReasonKafkaUnreachable    = "KafkaUnreachable"
	ReasonTopicsFailed        = "TopicsFailed"
	ReasonNamespaceFailed     = "NamespaceFailed"
	ReasonWorkloadsFailed     = "WorkloadsFailed"
	ReasonGatewayUnreachable  = "GatewayUnreachable"
	ReasonGatewayRejected     = "GatewayRejected"
)
