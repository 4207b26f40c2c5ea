{{/*
The environment of each program (README "Configuration"), shared by its
Deployment and its migration Job. The owner DSN is never here: only the
migration Job adds DATABASE_MIGRATE_URL.
*/}}

{{/* rapport.publicURL: GATEWAY_PUBLIC_URL. */}}
{{- define "rapport.publicURL" -}}
{{- if .Values.gateway.host -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.gateway.tls.enabled) .Values.gateway.host -}}
{{- else -}}
{{- include "rapport.gatewayURL" . -}}
{{- end -}}
{{- end -}}

{{/* rapport.staticUpstreams: STATIC_UPSTREAMS naming every enabled service's Kubernetes Service. */}}
{{- define "rapport.staticUpstreams" -}}
{{- $entries := list -}}
{{- range $name, $svc := .Values.services -}}
{{- if $svc.enabled -}}
{{- $entries = append $entries (printf "%s=%s:8080" $name (include "rapport.serviceHost" (dict "ctx" $ "name" $name))) -}}
{{- end -}}
{{- end -}}
{{- join "," $entries -}}
{{- end -}}

{{/* rapport.redisSecret: the Secret holding REDIS_URL, or nothing. */}}
{{- define "rapport.redisSecret" -}}
{{- if .Values.redis.existingSecret -}}
{{- .Values.redis.existingSecret -}}
{{- else if .Values.redis.url -}}
{{- include "rapport.component.name" (dict "ctx" . "component" "redis") -}}
{{- end -}}
{{- end -}}

{{/* rapport.smtpSecret: the Secret holding GATEWAY_SMTP_URL, or nothing. */}}
{{- define "rapport.smtpSecret" -}}
{{- if .Values.smtp.existingSecret -}}
{{- .Values.smtp.existingSecret -}}
{{- else if .Values.smtp.url -}}
{{- include "rapport.component.name" (dict "ctx" . "component" "smtp") -}}
{{- end -}}
{{- end -}}

{{/* rapport.gateway.env: the gateway's environment. */}}
{{- define "rapport.gateway.env" -}}
{{- $g := .Values.gateway -}}
{{- $secret := include "rapport.runtimeSecret" (dict "ctx" . "name" "gateway" "values" $g) -}}
- name: GATEWAY_ADDR
  value: ":8080"
- name: GATEWAY_METRICS_ADDR
  value: ":9090"
- name: GATEWAY_PUBLIC_URL
  value: {{ include "rapport.publicURL" . | quote }}
- name: GATEWAY_SHUTDOWN_TIMEOUT
  value: {{ $g.shutdownTimeout | quote }}
{{- range list "DATABASE_URL" "GATEWAY_DATA_KEY" "GATEWAY_PLATFORM_TOKEN" "GATEWAY_SIGNING_KEYS" }}
{{ include "rapport.secretEnv" (dict "name" . "secret" $secret "key" .) }}
{{- end }}
{{- if .Values.consul.address }}
- name: CONSUL_HTTP_ADDR
  value: {{ .Values.consul.address | quote }}
{{- else }}
- name: STATIC_UPSTREAMS
  value: {{ include "rapport.staticUpstreams" . | quote }}
{{- end }}
- name: KAFKA_BROKERS
  value: {{ join "," .Values.kafka.brokers | quote }}
- name: TOPIC_PREFIX
  value: {{ .Values.topicPrefix | quote }}
{{- with include "rapport.redisSecret" . }}
{{ include "rapport.secretEnv" (dict "name" "REDIS_URL" "secret" . "key" "REDIS_URL") }}
{{- end }}
{{- with include "rapport.smtpSecret" . }}
{{ include "rapport.secretEnv" (dict "name" "GATEWAY_SMTP_URL" "secret" . "key" "GATEWAY_SMTP_URL") }}
- name: GATEWAY_MAIL_FROM
  value: {{ $.Values.smtp.from | quote }}
{{- end }}
{{ include "rapport.sharedEnv" . }}
{{- include "rapport.extraEnv" $g.extraEnv }}
{{- end -}}

{{/* rapport.service.env: dict "ctx" $ "name" service "svc" its values -> the service's environment. */}}
{{- define "rapport.service.env" -}}
{{- $ctx := .ctx -}}
{{- $secret := include "rapport.runtimeSecret" (dict "ctx" $ctx "name" .name "values" .svc) -}}
{{- $gateway := include "rapport.gatewayURL" $ctx -}}
- name: SERVICE_NAME
  value: {{ .name | quote }}
- name: HTTP_ADDR
  value: ":8080"
{{ include "rapport.secretEnv" (dict "name" "DATABASE_URL" "secret" $secret "key" "DATABASE_URL") }}
{{ include "rapport.secretEnv" (dict "name" "CURSOR_KEY" "secret" $secret "key" "CURSOR_KEY") }}
- name: KAFKA_BROKERS
  value: {{ join "," $ctx.Values.kafka.brokers | quote }}
- name: TOPIC_PREFIX
  value: {{ $ctx.Values.topicPrefix | quote }}
- name: AUTH_JWKS_URL
  value: {{ printf "%s/.well-known/jwks.json" $gateway | quote }}
- name: GATEWAY_URL
  value: {{ $gateway | quote }}
{{- range .svc.calls }}
- name: {{ printf "%s_URL" (upper .) }}
  value: {{ printf "http://%s:8080" (include "rapport.serviceHost" (dict "ctx" $ctx "name" .)) | quote }}
{{- end }}
{{- if $ctx.Values.consul.address }}
- name: CONSUL_HTTP_ADDR
  value: {{ $ctx.Values.consul.address | quote }}
- name: SERVICE_ADDRESS
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- end }}
{{- if eq .name "support" }}
{{- include "rapport.support.env" $ctx }}
{{- end }}
{{- if eq .name "marketing" }}
{{- include "rapport.marketing.env" (dict "ctx" $ctx "secret" $secret) }}
{{- end }}
{{- if eq .name "reporting" }}
{{- include "rapport.reporting.env" $ctx }}
{{- end }}
{{ include "rapport.sharedEnv" $ctx }}
{{- include "rapport.extraEnv" .svc.extraEnv }}
{{- end -}}

{{/* rapport.support.env: support's mail, in and out (supportMail). */}}
{{- define "rapport.support.env" -}}
{{- $m := .Values.supportMail -}}
{{- with include "rapport.smtpSecret" . }}
{{ include "rapport.secretEnv" (dict "name" "SUPPORT_SMTP_URL" "secret" . "key" "GATEWAY_SMTP_URL") }}
{{- end }}
{{- with ($m.from | default .Values.smtp.from) }}
- name: SUPPORT_MAIL_FROM
  value: {{ . | quote }}
{{- end }}
{{- if $m.inbound.enabled }}
- name: SUPPORT_SMTP_ADDR
  value: {{ printf ":%d" (int $m.inbound.port) | quote }}
{{- end }}
{{- end -}}


{{/* rapport.marketing.env: dict "ctx" $ "secret" marketing's runtime Secret -> marketing's links, mail and SMS (marketing). */}}
{{- define "rapport.marketing.env" -}}
{{- $ctx := .ctx -}}
{{- $m := $ctx.Values.marketing }}
- name: MARKETING_PUBLIC_URL
  value: {{ include "rapport.publicURL" $ctx | quote }}
{{ include "rapport.secretEnv" (dict "name" "MARKETING_LINK_KEY" "secret" .secret "key" "MARKETING_LINK_KEY") }}
{{- with include "rapport.smtpSecret" $ctx }}
{{ include "rapport.secretEnv" (dict "name" "MARKETING_SMTP_URL" "secret" . "key" "GATEWAY_SMTP_URL") }}
{{- end }}
{{- with ($m.from | default $ctx.Values.smtp.from) }}
- name: MARKETING_MAIL_FROM
  value: {{ . | quote }}
{{- end }}
{{- if $m.bounces.enabled }}
- name: MARKETING_BOUNCE_SMTP_ADDR
  value: {{ printf ":%d" (int $m.bounces.port) | quote }}
{{- end }}
{{- if $m.sms.url }}
- name: MARKETING_SMS_URL
  value: {{ $m.sms.url | quote }}
{{- with $m.sms.existingSecret }}
{{ include "rapport.secretEnv" (dict "name" "MARKETING_SMS_TOKEN" "secret" . "key" "MARKETING_SMS_TOKEN") }}
{{- end }}
{{- end }}
{{- end -}}

{{/* rapport.reporting.env: reporting's mail, the scheduled reports (reporting). */}}
{{- define "rapport.reporting.env" -}}
{{- with include "rapport.smtpSecret" . }}
{{ include "rapport.secretEnv" (dict "name" "REPORTING_SMTP_URL" "secret" . "key" "GATEWAY_SMTP_URL") }}
{{- with ($.Values.reporting.from | default $.Values.smtp.from) }}
- name: REPORTING_MAIL_FROM
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* rapport.smtpListener: dict "ctx" $ "name" service -> the values of the service's SMTP listener as YAML (support's supportMail.inbound, marketing's marketing.bounces), enabled or not; nothing for another service. */}}
{{- define "rapport.smtpListener" -}}
{{- if eq .name "support" -}}
{{- toYaml .ctx.Values.supportMail.inbound -}}
{{- else if eq .name "marketing" -}}
{{- toYaml .ctx.Values.marketing.bounces -}}
{{- end -}}
{{- end -}}
