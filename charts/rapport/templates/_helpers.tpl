{{/*
Names, labels and images shared by every template.
*/}}

{{/* rapport.name: the chart's name. */}}
{{- define "rapport.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* rapport.fullname: the prefix of every object's name. */}}
{{- define "rapport.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* rapport.component.name: dict "ctx" $ "component" name -> <fullname>-<component>. */}}
{{- define "rapport.component.name" -}}
{{- printf "%s-%s" (include "rapport.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* rapport.selectorLabels: dict "ctx" $ "component" name. */}}
{{- define "rapport.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end -}}

{{/* rapport.labels: dict "ctx" $ "component" name. */}}
{{- define "rapport.labels" -}}
{{ include "rapport.selectorLabels" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: rapport
app.kubernetes.io/version: {{ include "rapport.tag" .ctx | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* rapport.tag: the image tag of every program. */}}
{{- define "rapport.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{/* rapport.image: dict "ctx" $ "program" name -> <registry>/<program>:<tag>. */}}
{{- define "rapport.image" -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .ctx.Values.image.registry) .program (include "rapport.tag" .ctx) -}}
{{- end -}}

{{/* rapport.imagePullSecrets: the pod spec's imagePullSecrets, if any. */}}
{{- define "rapport.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* rapport.podSecurityContext: every pod's securityContext. */}}
{{- define "rapport.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  fsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* rapport.containerSecurityContext: every container's securityContext. */}}
{{- define "rapport.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  privileged: false
  capabilities:
    drop:
      - ALL
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* rapport.tmpVolume: the pod's emptyDir for /tmp. */}}
{{- define "rapport.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{/* rapport.tmpMount: the container's mount of /tmp. */}}
{{- define "rapport.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* rapport.gatewayURL: the gateway's Service as programs in the cluster reach it. */}}
{{- define "rapport.gatewayURL" -}}
{{- printf "http://%s.%s.svc:%d" (include "rapport.component.name" (dict "ctx" . "component" "gateway")) .Release.Namespace (int .Values.gateway.service.port) -}}
{{- end -}}

{{/* rapport.serviceHost: dict "ctx" $ "name" service -> its Service's DNS name. */}}
{{- define "rapport.serviceHost" -}}
{{- printf "%s.%s.svc" (include "rapport.component.name" (dict "ctx" .ctx "component" .name)) .ctx.Release.Namespace -}}
{{- end -}}

{{/* rapport.sharedEnv: the environment every program reads the same way. */}}
{{- define "rapport.sharedEnv" -}}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- with .Values.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ $.Values.tracing.samplerRatio | toString | quote }}
{{- end }}
{{- end -}}

{{/* rapport.extraEnv: a name → value map as env entries. */}}
{{- define "rapport.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* rapport.secretEnv: dict "name" env "secret" secret "key" key. */}}
{{- define "rapport.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/*
rapport.replicasFit: dict "path" values path "replicas" n "pdb" pdb values
"autoscaling" autoscaling values; fails when the replicas (the HPA's
minimum with autoscaling) are below the PDB's minAvailable, or the HPA's
maximum below its minimum.
*/}}
{{- define "rapport.replicasFit" -}}
{{- if and .autoscaling.enabled (lt (int .autoscaling.maxReplicas) (int .autoscaling.minReplicas)) -}}
{{- fail (printf "%s.autoscaling.maxReplicas (%d) is below %s.autoscaling.minReplicas (%d)" .path (int .autoscaling.maxReplicas) .path (int .autoscaling.minReplicas)) -}}
{{- end -}}
{{- if .pdb.enabled -}}
{{- $replicas := int .replicas -}}
{{- $field := printf "%s.replicas" .path -}}
{{- if .autoscaling.enabled -}}
{{- $replicas = int .autoscaling.minReplicas -}}
{{- $field = printf "%s.autoscaling.minReplicas" .path -}}
{{- end -}}
{{- if lt $replicas (int .pdb.minAvailable) -}}
{{- fail (printf "%s (%d) is below %s.pdb.minAvailable (%d): the PodDisruptionBudget could never be met; raise the replicas or lower minAvailable" $field $replicas .path (int .pdb.minAvailable)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* rapport.egressTo: dict "cidrs" list "ports" list -> an egress rule to those CIDRs (any address without) on those TCP ports. */}}
{{- define "rapport.egressTo" -}}
- ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- with .cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end -}}

{{/* rapport.egressInfra: the egress rules to DNS, PostgreSQL, Kafka and Consul (when set) every program has. */}}
{{- define "rapport.egressInfra" -}}
{{- $np := .Values.networkPolicy -}}
- ports:
    {{- range $np.dns.ports }}
    - protocol: UDP
      port: {{ . }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{ include "rapport.egressTo" (dict "cidrs" $np.postgresql.cidrs "ports" (list $np.postgresql.port)) }}
{{ include "rapport.egressTo" (dict "cidrs" $np.kafka.cidrs "ports" $np.kafka.ports) }}
{{- if .Values.consul.address }}
{{ include "rapport.egressTo" (dict "cidrs" $np.consul.cidrs "ports" (list $np.consul.port)) }}
{{- end }}
{{- end -}}

{{/* rapport.podPeer: dict "ctx" $ "component" name -> a NetworkPolicy peer selecting that program's pods. */}}
{{- define "rapport.podPeer" -}}
- podSelector:
    matchLabels:
      {{- include "rapport.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* rapport.monitoringIngress: the ingress rule admitting the monitoring namespace's scrapes on port, when enabled. */}}
{{- define "rapport.monitoringIngress" -}}
{{- if .ctx.Values.networkPolicy.monitoring.enabled -}}
- from:
    - namespaceSelector:
        matchLabels:
          {{- toYaml .ctx.Values.networkPolicy.monitoring.namespaceLabels | nindent 10 }}
  ports:
    - protocol: TCP
      port: {{ .port }}
{{- end }}
{{- end -}}

{{/*
rapport.podAnnotations: dict "ctx" $ "values" a program's values -> in dev
mode, the pod annotation holding the checksum of the secrets the chart
makes from values (the DSNs, Redis and SMTP URLs), so changing one rolls
the pods; nothing in production mode, where Secrets are yours.
*/}}
{{- define "rapport.podAnnotations" -}}
{{- if not (include "rapport.production" .ctx) -}}
{{- $v := .ctx.Values -}}
annotations:
  rapport.dev/secrets-checksum: {{ list .values.database $v.redis.url $v.smtp.url | toJson | sha256sum }}
{{- end -}}
{{- end -}}
