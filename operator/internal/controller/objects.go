package controller

import (
	"strconv"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// image is the image of service svc for t.
func (r *TenantReconciler) image(t *v1alpha1.Tenant, svc string) string {
	version := t.Spec.Version
	if version == "" {
		version = r.Config.Version
	}
	return r.Config.ImageRepository + "/" + svc + ":" + version
}

// podTemplate is the pod of service svc of t: the service's image with its
// database Secret, topic prefix, the gateway's key set and base URL, the
// URLs of t's other services and the Consul tag in its environment (and
// marketing's links: the gateway's public URL and its link key), probed on
// /healthz and /readyz.
func (r *TenantReconciler) podTemplate(t *v1alpha1.Tenant, svc string, s v1alpha1.ServiceSpec) corev1.PodTemplateSpec {
	fromSecret := func(name, key string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: DatabaseSecret(svc)}, Key: key,
		}}}
	}
	env := []corev1.EnvVar{
		{Name: "SERVICE_NAME", Value: svc},
		{Name: "HTTP_ADDR", Value: ":" + strconv.Itoa(httpPort)},
		fromSecret("DATABASE_URL", keyDatabaseURL),
		fromSecret("DATABASE_MIGRATE_URL", keyMigrateURL),
		fromSecret("CURSOR_KEY", keyCursorKey),
		{Name: "KAFKA_BROKERS", Value: strings.Join(r.Config.KafkaBrokers, ",")},
		{Name: "TOPIC_PREFIX", Value: events.TenantPrefix(t.Name)},
		{Name: "AUTH_JWKS_URL", Value: r.Config.JWKSURL},
		{Name: "GATEWAY_URL", Value: r.podGatewayURL()},
		{Name: "CONSUL_SERVICE_TAGS", Value: consulTag(t)},
		// The address the gateway dials, which the service registers in Consul.
		{Name: "SERVICE_ADDRESS", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
	}
	if r.Config.ConsulAddr != "" {
		env = append(env, corev1.EnvVar{Name: "CONSUL_HTTP_ADDR", Value: r.Config.ConsulAddr})
	}
	// Where it calls the tenant's other services with its caller's
	// authority (libs/svcclient): their Services in the namespace.
	for _, other := range r.Config.Services {
		if other != svc {
			env = append(env, corev1.EnvVar{Name: strings.ToUpper(other) + "_URL", Value: serviceURL(t, other)})
		}
	}
	// The marketing service's links point at the gateway's public URL and
	// are signed with the key of its database Secret.
	if svc == registry.Marketing {
		env = append(env, corev1.EnvVar{Name: "MARKETING_PUBLIC_URL", Value: r.Config.PublicURL}, fromSecret("MARKETING_LINK_KEY", keyLinkKey))
	}
	resources := s.Resources
	if len(resources.Requests) == 0 && len(resources.Limits) == 0 {
		resources = r.Config.DefaultResources
	}
	probe := func(path string, period int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: path, Port: httpPortName, Scheme: corev1.URISchemeHTTP,
			}},
			PeriodSeconds: period, TimeoutSeconds: 2, FailureThreshold: 3, SuccessThreshold: 1,
		}
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{
			Labels:      serviceLabels(t, svc),
			Annotations: map[string]string{annotationConsulTags: consulTag(t)},
		},
		Spec: corev1.PodSpec{
			ServiceAccountName:           svc,
			AutomountServiceAccountToken: ptr.To(false),
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name:            svc,
				Image:           r.image(t, svc),
				ImagePullPolicy: corev1.PullIfNotPresent,
				Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: httpPort, Protocol: corev1.ProtocolTCP}},
				Env:             env,
				Resources:       resources,
				LivenessProbe:   probe("/healthz", 10),
				ReadinessProbe:  probe("/readyz", 5),
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: ptr.To(false),
					ReadOnlyRootFilesystem:   ptr.To(true),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
}

// podGatewayURL is the gateway's base URL as the tenants' pods reach it,
// for its internal routes (token exchange, team directory), which it
// serves beside its key set: JWKSURL without JWKSPath, else the admin
// API's URL.
func (r *TenantReconciler) podGatewayURL() string {
	if base, ok := strings.CutSuffix(r.Config.JWKSURL, JWKSPath); ok {
		return base
	}
	return r.Config.GatewayURL
}

// serviceURL is the base URL of service svc of t within the cluster: its
// Service in t's namespace.
func serviceURL(t *v1alpha1.Tenant, svc string) string {
	return "http://" + svc + "." + Namespace(t.Name) + ".svc:" + strconv.Itoa(httpPort)
}

// hpaSpec scales service svc between its replicas and its ceiling on CPU.
func hpaSpec(svc string, s v1alpha1.ServiceSpec) autoscalingv2.HorizontalPodAutoscalerSpec {
	return autoscalingv2.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: svc},
		MinReplicas:    ptr.To(s.Replicas),
		MaxReplicas:    maxReplicas(s),
		Metrics: []autoscalingv2.MetricSpec{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   corev1.ResourceCPU,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](cpuTarget)},
			},
		}},
	}
}

// networkPolicySpec lets only the gateway's pods and the pods of t's own
// namespace reach service svc, on its HTTP port.
func (r *TenantReconciler) networkPolicySpec(t *v1alpha1.Tenant, svc string) networkingv1.NetworkPolicySpec {
	return networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: selectorLabels(t, svc)},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		Ingress: []networkingv1.NetworkPolicyIngressRule{{
			From: []networkingv1.NetworkPolicyPeer{
				{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: r.Config.GatewayNamespace}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: r.Config.GatewayPodLabels},
				},
				{PodSelector: &metav1.LabelSelector{}},
			},
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(httpPortName)}},
		}},
	}
}

// httpPortName is the name of the services' HTTP port.
var httpPortName = intstr.FromString("http")
