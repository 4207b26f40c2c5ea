package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BackupSchedule makes a dedicated tenant's backups on a schedule.
type BackupSchedule struct {
	// Every is the time between two scheduled backups, such as 24h; the
	// first is taken when the schedule is set.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Format=duration
	Every metav1.Duration `json:"every"`

	// Keep is how many completed scheduled backups are kept; older ones are
	// deleted, objects and resources.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=7
	// +optional
	Keep int32 `json:"keep,omitempty"`

	// MaxAge deletes scheduled backups older than this, whatever Keep says,
	// except the newest completed one.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Format=duration
	// +optional
	MaxAge *metav1.Duration `json:"maxAge,omitempty"`
}

// BackupPhase is where a TenantBackup is.
// +kubebuilder:validation:Enum=Running;Completed;Failed
type BackupPhase string

// The phases of a TenantBackup and of a TenantRestore.
const (
	// BackupRunning: the dumps are being written.
	BackupRunning BackupPhase = "Running"
	// BackupCompleted: every dump and the manifest are in the store.
	BackupCompleted BackupPhase = "Completed"
	// BackupFailed: the backup stopped; status.error says why. It is not
	// retried: make a new TenantBackup.
	BackupFailed BackupPhase = "Failed"
)

// TenantBackupSpec names the tenant to back up.
type TenantBackupSpec struct {
	// Tenant is the name of the dedicated Tenant whose databases are
	// dumped.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=30
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="tenant is immutable"
	Tenant string `json:"tenant"`
}

// DatabaseBackup is one service's dump in a backup.
type DatabaseBackup struct {
	// Service whose database was dumped.
	Service string `json:"service"`
	// Database is the dumped database's name.
	Database string `json:"database"`
	// Object is the dump's key in the store.
	Object string `json:"object"`
	// Size of the dump in bytes.
	Size int64 `json:"size"`
	// SHA256 of the dump, hexadecimal.
	SHA256 string `json:"sha256"`
}

// TenantBackupStatus is what the backup did.
type TenantBackupStatus struct {
	// Phase is Running, Completed or Failed.
	// +optional
	Phase BackupPhase `json:"phase,omitempty"`
	// StartedAt is when the first dump began.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`
	// CompletedAt is when the manifest was written.
	// +optional
	CompletedAt *metav1.Time `json:"completedAt,omitempty"`
	// Location is the store URL of the backup's folder, holding one
	// <service>.dump per database and manifest.json.
	// +optional
	Location string `json:"location,omitempty"`
	// Databases lists the dumps with their sizes and checksums.
	// +listType=atomic
	// +optional
	Databases []DatabaseBackup `json:"databases,omitempty"`
	// Error says why the backup failed.
	// +optional
	Error string `json:"error,omitempty"`
}

// TenantBackup is one backup of a dedicated tenant's databases: a
// pg_dump (custom format) per service's database and a manifest, in the
// operator's object store (BACKUP_URL). Deleting it deletes its objects.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=tbk
// +kubebuilder:printcolumn:name="Tenant",type=string,JSONPath=`.spec.tenant`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Completed",type=date,JSONPath=`.status.completedAt`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type TenantBackup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TenantBackupSpec   `json:"spec"`
	Status TenantBackupStatus `json:"status,omitempty"`
}

// TenantBackupList is a list of TenantBackups.
//
// +kubebuilder:object:root=true
type TenantBackupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TenantBackup `json:"items"`
}

// TenantRestoreSpec says which backup goes into which tenant.
//
// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="a restore cannot change; make a new TenantRestore"
type TenantRestoreSpec struct {
	// Backup is the name of a Completed TenantBackup.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Backup string `json:"backup"`

	// Tenant is the dedicated Tenant restored into: a new one (another
	// name than the backup's, whose databases the operator made) or the
	// backup's own, which is overwritten.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=30
	Tenant string `json:"tenant"`

	// Confirm must equal the tenant's name to restore over the backup's
	// own tenant: its current data is replaced.
	// +kubebuilder:validation:MaxLength=30
	// +optional
	Confirm string `json:"confirm,omitempty"`
}

// TenantRestoreStatus is what the restore did.
type TenantRestoreStatus struct {
	// Phase is Running, Completed or Failed.
	// +optional
	Phase BackupPhase `json:"phase,omitempty"`
	// StartedAt is when the tenant's workloads were scaled to zero.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`
	// CompletedAt is when the workloads were scaled back.
	// +optional
	CompletedAt *metav1.Time `json:"completedAt,omitempty"`
	// WasSuspended records whether the tenant was suspended before the
	// restore suspended it, so it is resumed only if it was not.
	// +optional
	WasSuspended bool `json:"wasSuspended,omitempty"`
	// Conditions: Restored, with the reason of a refusal or failure.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// TenantRestore restores a TenantBackup into a dedicated tenant: the
// tenant is suspended (workloads at zero), each database restored with
// pg_restore --clean --if-exists, the tenant's consumer groups set to the
// offsets the backup recorded, and the tenant resumed.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=trs
// +kubebuilder:printcolumn:name="Backup",type=string,JSONPath=`.spec.backup`
// +kubebuilder:printcolumn:name="Tenant",type=string,JSONPath=`.spec.tenant`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type TenantRestore struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TenantRestoreSpec   `json:"spec"`
	Status TenantRestoreStatus `json:"status,omitempty"`
}

// TenantRestoreList is a list of TenantRestores.
//
// +kubebuilder:object:root=true
type TenantRestoreList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TenantRestore `json:"items"`
}

// ConditionRestored is a TenantRestore's condition: True once the tenant
// runs on the restored data.
const ConditionRestored = "Restored"

// Reasons of ConditionRestored.
const (
	ReasonRestoring            = "Restoring"
	ReasonConfirmationRequired = "ConfirmationRequired"
	ReasonBackupNotFound       = "BackupNotFound"
	ReasonBackupNotCompleted   = "BackupNotCompleted"
	ReasonTenantNotDedicated   = "TenantNotDedicated"
	ReasonRestoreFailed        = "RestoreFailed"
	ReasonRestored             = "Restored"
)

func init() {
	SchemeBuilder.Register(&TenantBackup{}, &TenantBackupList{}, &TenantRestore{}, &TenantRestoreList{})
}
