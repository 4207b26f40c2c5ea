package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Tier says where a tenant's data and workloads live.
// +kubebuilder:validation:Enum=shared;dedicated
type Tier string

// The tiers.
const (
	// TierShared keeps the tenant's rows in the shared services, under
	// row-level security; the operator only registers it in the gateway.
	TierShared Tier = "shared"
	// TierDedicated gives the tenant its own namespace, databases, topics
	// and workloads.
	TierDedicated Tier = "dedicated"
)

// TenantSpec is what the platform team asks for.
//
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.tier) || (has(self.tier) && self.tier == oldSelf.tier)",message="tier is immutable once set",fieldPath=".tier"
// +kubebuilder:validation:XValidation:rule="!has(self.tier) || self.tier != 'dedicated' || has(self.database)",message="database is required for a dedicated tenant",fieldPath=".database"
type TenantSpec struct {
	// DisplayName is the organisation's name as its users see it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	DisplayName string `json:"displayName"`

	// Tier is shared (rows in the shared services) or dedicated (the
	// tenant's own services, databases and topics). It cannot change.
	// +kubebuilder:default=shared
	// +optional
	Tier Tier `json:"tier,omitempty"`

	// Domains are the host names the tenant's users reach Rapport on. No two
	// tenants may hold the same domain: the younger one goes Failed.
	// +listType=set
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:Pattern=`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`
	// +optional
	Domains []string `json:"domains,omitempty"`

	// Admin is the tenant's first administrator, invited when the tenant is
	// registered in the gateway.
	Admin AdminSpec `json:"admin"`

	// Services tunes the dedicated tenant's services by name; a service
	// the operator runs but that is not listed here gets the defaults.
	// +kubebuilder:validation:MaxProperties=5
	// +kubebuilder:validation:XValidation:rule="self.all(k, k in ['contacts', 'sales', 'marketing', 'support', 'reporting'])",message="services are keyed by contacts, sales, marketing, support or reporting"
	// +optional
	Services map[string]ServiceSpec `json:"services,omitempty"`

	// Version is the release of the service images for this tenant; empty
	// means the operator's RAPPORT_VERSION. Changing it rolls the workloads.
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`
	// +optional
	Version string `json:"version,omitempty"`

	// Database names the PostgreSQL server of a dedicated tenant's
	// databases; required for the dedicated tier.
	// +optional
	Database *DatabaseSpec `json:"database,omitempty"`

	// Kafka sizes a dedicated tenant's topics.
	// +kubebuilder:default={}
	// +optional
	Kafka KafkaSpec `json:"kafka,omitempty"`

	// Suspended scales the tenant's workloads to zero and makes the gateway
	// refuse its sign-ins, tokens and API keys; data is kept.
	// +optional
	Suspended bool `json:"suspended,omitempty"`

	// Backup schedules backups of a dedicated tenant's databases: the
	// operator makes a TenantBackup every interval and deletes those past
	// the retention.
	// +optional
	Backup *BackupSchedule `json:"backup,omitempty"`
}

// AdminSpec names a tenant's first administrator.
type AdminSpec struct {
	// Email is where the administrator signs in.
	// +kubebuilder:validation:MaxLength=254
	// +kubebuilder:validation:Pattern=`^[^@\s<>]+@[^@\s<>]+$`
	Email string `json:"email"`

	// Name is the administrator's display name; the email when empty.
	// +kubebuilder:validation:MaxLength=200
	// +optional
	Name string `json:"name,omitempty"`
}

// ServiceSpec sizes one service of a dedicated tenant.
//
// +kubebuilder:validation:XValidation:rule="!has(self.maxReplicas) || !has(self.replicas) || self.maxReplicas >= self.replicas",message="maxReplicas must be at least replicas",fieldPath=".maxReplicas"
type ServiceSpec struct {
	// Replicas is the number of pods, and the autoscaler's floor.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=20
	// +kubebuilder:default=2
	// +optional
	Replicas int32 `json:"replicas,omitempty"`

	// MaxReplicas is the autoscaler's ceiling; twice Replicas when unset.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=50
	// +optional
	MaxReplicas *int32 `json:"maxReplicas,omitempty"`

	// Resources of the service's container; the operator's defaults when
	// empty.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`
}

// DatabaseSpec says where a dedicated tenant's databases live.
type DatabaseSpec struct {
	// Server is the Secret, in the operator's namespace, holding the admin
	// DSN (postgres://…) of the PostgreSQL server. The admin must be able to
	// create databases and roles.
	Server SecretKeyRef `json:"server"`

	// RetainOnDelete keeps the databases and their roles when the tenant is
	// deleted.
	// +kubebuilder:default=true
	// +optional
	RetainOnDelete *bool `json:"retainOnDelete,omitempty"`
}

// SecretKeyRef names a key of a Secret in the operator's namespace.
type SecretKeyRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Key in the Secret's data.
	// +kubebuilder:default=dsn
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +optional
	Key string `json:"key,omitempty"`
}

// KafkaSpec sizes a dedicated tenant's topics.
type KafkaSpec struct {
	// Partitions of each topic; they can grow but never shrink.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=120
	// +kubebuilder:validation:XValidation:rule="self >= oldSelf",message="partitions can grow but never shrink"
	// +kubebuilder:default=6
	// +optional
	Partitions int32 `json:"partitions,omitempty"`

	// ReplicationFactor of each topic; it cannot change.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=5
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="replicationFactor is immutable"
	// +kubebuilder:default=3
	// +optional
	ReplicationFactor int32 `json:"replicationFactor,omitempty"`
}

// Phase summarises where a tenant is in its life.
// +kubebuilder:validation:Enum=Provisioning;Ready;Suspended;Deleting;Failed
type Phase string

// The phases.
const (
	// PhaseProvisioning: some step is not done yet, or is being retried.
	PhaseProvisioning Phase = "Provisioning"
	// PhaseReady: every step is done and the tenant is active.
	PhaseReady Phase = "Ready"
	// PhaseSuspended: every step is done and the tenant is suspended.
	PhaseSuspended Phase = "Suspended"
	// PhaseDeleting: the finalizer is removing what the tenant had.
	PhaseDeleting Phase = "Deleting"
	// PhaseFailed: the spec cannot be served as it is (the Ready
	// condition says why); nothing is retried until it changes.
	PhaseFailed Phase = "Failed"
)

// TenantStatus is what the operator observed and did.
type TenantStatus struct {
	// Phase summarises the conditions.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// ObservedGeneration is the spec generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: DatabasesReady, TopicsReady, WorkloadsReady, Registered
	// and Ready.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Namespace of a dedicated tenant's workloads.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// GatewayID is the tenant's id in the gateway.
	// +optional
	GatewayID string `json:"gatewayID,omitempty"`

	// Databases the operator created on the server, removed on deletion
	// unless retained.
	// +listType=set
	// +optional
	Databases []string `json:"databases,omitempty"`

	// Topics the operator created, removed on deletion.
	// +listType=set
	// +optional
	Topics []string `json:"topics,omitempty"`
}

// Tenant is one customer organisation of Rapport.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=tnt
// +kubebuilder:printcolumn:name="Tier",type=string,JSONPath=`.spec.tier`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$')",message="metadata.name must be 1 to 30 lower-case letters, digits and dashes, beginning and ending with a letter or digit"
type Tenant struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TenantSpec   `json:"spec"`
	Status TenantStatus `json:"status,omitempty"`
}

// Dedicated reports whether the tenant has its own workloads.
func (t *Tenant) Dedicated() bool { return t.Spec.Tier == TierDedicated }

// Retain reports whether the tenant's databases outlive it.
func (t *Tenant) Retain() bool {
	return t.Spec.Database == nil || t.Spec.Database.RetainOnDelete == nil || *t.Spec.Database.RetainOnDelete
}

// TenantList is a list of Tenants.
//
// +kubebuilder:object:root=true
type TenantList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Tenant `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Tenant{}, &TenantList{})
}
