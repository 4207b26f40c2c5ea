package controller

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Config is what the reconciler takes from the operator's configuration
// (operator/cmd reads it from the environment).
type Config struct {
	// Namespace is the operator's own: it holds the Secrets with the admin
	// DSNs that tenants name, and the first administrators' invitations.
	Namespace string
	// Services are the services a dedicated tenant runs, e.g. contacts:
	// services of libs/registry behind the gateway (operator/cmd checks).
	Services []string
	// ImageRepository prefixes the images: <repository>/<service>:<version>.
	ImageRepository string
	// Version is the image tag of tenants that do not set spec.version.
	Version string
	// KafkaBrokers are the brokers of the tenants' topics, host:port.
	KafkaBrokers []string
	// GatewayURL is the base URL of the gateway's admin API.
	GatewayURL string
	// PublicURL is the gateway's public URL, where the links the tenants'
	// marketing services mail point (MARKETING_PUBLIC_URL).
	PublicURL string
	// GatewayToken is the gateway's platform token.
	GatewayToken string
	// JWKSURL is the gateway's key set as the tenants' pods reach it.
	JWKSURL string
	// GatewayNamespace and GatewayPodLabels select the gateway's pods, the
	// only pods outside a tenant's namespace that may reach its services.
	GatewayNamespace string
	GatewayPodLabels map[string]string
	// ConsulAddr is passed to the tenants' pods as CONSUL_HTTP_ADDR when
	// set.
	ConsulAddr string
	// DefaultResources apply to a service whose spec sets none.
	DefaultResources corev1.ResourceRequirements
	// StepTimeout bounds each call to PostgreSQL, Kafka or the gateway.
	StepTimeout time.Duration
	// MaxConcurrentReconciles is how many tenants reconcile at once.
	MaxConcurrentReconciles int
	// RetryBaseDelay and RetryMaxDelay bound the exponential back-off of a
	// tenant whose reconcile failed.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// BackupURL is the gocloud.dev/blob URL of the store of the tenants'
	// backups (s3://bucket?region=…, file:///path); empty turns the backup
	// and restore controllers off.
	BackupURL string
	// PGBinDir holds pg_dump and pg_restore; empty finds them on PATH.
	PGBinDir string
}

// Defaults of the optional settings.
const (
	DefaultMaxConcurrentReconciles = 8
	DefaultStepTimeout             = 10 * time.Second
	DefaultRetryBaseDelay          = time.Second
	DefaultRetryMaxDelay           = 5 * time.Minute
	// defaultReplicas is the size of a service the spec does not list (the
	// CRD defaults the replicas of a listed one to the same).
	defaultReplicas = 2
	// maxReplicasCeiling bounds the autoscaler's default ceiling.
	maxReplicasCeiling = 50
	// cpuTarget is the autoscaler's average CPU utilisation goal, percent.
	cpuTarget = 70
)

// DefaultResources are the requests and limits of a service whose spec sets
// none: enough for one replica of a Rapport service at rest, with the
// autoscaler adding replicas under load.
func DefaultResources() corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("100m"),
			corev1.ResourceMemory: resource.MustParse("128Mi"),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceMemory: resource.MustParse("512Mi"),
		},
	}
}
