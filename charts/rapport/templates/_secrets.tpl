{{/*
Secrets: where each program's secrets come from, and the checks of the
mode. In production every secret is an existingSecret reference; in dev mode
the chart makes the Secrets a reference leaves out, from values or
generated, keeping what an earlier release stored (lookup).
*/}}

{{/* rapport.production: "true" in production mode. */}}
{{- define "rapport.production" -}}
{{- if eq .Values.mode "production" }}true{{ end -}}
{{- end -}}

{{/* rapport.runtimeSecret: dict "ctx" $ "name" program "values" its values -> the Secret with DATABASE_URL and the program's keys. */}}
{{- define "rapport.runtimeSecret" -}}
{{- default (include "rapport.component.name" (dict "ctx" .ctx "component" .name)) .values.existingSecret -}}
{{- end -}}

{{/* rapport.migrationSecret: dict "ctx" $ "name" program "values" its values -> the Secret with DATABASE_MIGRATE_URL. */}}
{{- define "rapport.migrationSecret" -}}
{{- if .values.migrationExistingSecret -}}
{{- .values.migrationExistingSecret -}}
{{- else if .values.existingSecret -}}
{{- .values.existingSecret -}}
{{- else -}}
{{- include "rapport.component.name" (dict "ctx" .ctx "component" (printf "%s-migration" .name)) -}}
{{- end -}}
{{- end -}}

{{/*
rapport.keep: dict "ctx" $ "secret" name "key" key "value" given "generate"
fresh "missing" message -> the base64 data of key: the value given, else
what the existing Secret holds, else the fresh one, else fail with missing.
*/}}
{{- define "rapport.keep" -}}
{{- if .value -}}
{{- .value | b64enc -}}
{{- else -}}
{{- $old := dig "data" .key "" (lookup "v1" "Secret" .ctx.Release.Namespace .secret) -}}
{{- if $old -}}
{{- $old -}}
{{- else if .generate -}}
{{- .generate | b64enc -}}
{{- else -}}
{{- fail .missing -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* rapport.devSecretMeta: the metadata of a Secret the chart makes in dev mode: a hook, so the migration Jobs find it. */}}
{{- define "rapport.devSecretMeta" -}}
metadata:
  name: {{ .secret }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "rapport.labels" (dict "ctx" .ctx "component" .name) | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation
{{- end -}}

{{/*
rapport.checkSecrets: dict "ctx" $ "path" values path "values" a program's
values; fails on a secret given the wrong way for the mode.
*/}}
{{- define "rapport.checkSecrets" -}}
{{- $v := .values -}}
{{- if include "rapport.production" .ctx -}}
{{- if not $v.existingSecret -}}
{{- fail (printf "%s.existingSecret is required in production mode: name the Secret holding the program's DATABASE_URL and keys (see the chart's README)" .path) -}}
{{- end -}}
{{- range $k := list "url" "migrateUrl" -}}
{{- if index $v.database $k -}}
{{- fail (printf "%s.database.%s must not be set in production mode: secrets come only from %s.existingSecret / %s.migrationExistingSecret" $.path $k $.path $.path) -}}
{{- end -}}
{{- end -}}
{{- else if $v.existingSecret -}}
{{- if $v.database.url -}}
{{- fail (printf "%s.database.url is set together with %s.existingSecret: DATABASE_URL comes from the Secret; drop one of them" .path .path) -}}
{{- end -}}
{{- if and $v.database.migrateUrl (not $v.migrationExistingSecret) -}}
{{- fail (printf "%s.database.migrateUrl is set together with %s.existingSecret: DATABASE_MIGRATE_URL comes from the Secret (or %s.migrationExistingSecret); drop one of them" .path .path .path) -}}
{{- end -}}
{{- end -}}
{{- if and $v.migrationExistingSecret $v.database.migrateUrl -}}
{{- fail (printf "%s.database.migrateUrl is set together with %s.migrationExistingSecret: drop one of them" .path .path) -}}
{{- end -}}
{{- end -}}

{{/* rapport.checkValues: the checks of the whole values that the schema cannot make. */}}
{{- define "rapport.checkValues" -}}
{{- if not .Values.kafka.brokers -}}
{{- fail "kafka.brokers is required: host:port of the Kafka brokers every program uses (KAFKA_BROKERS)" -}}
{{- end -}}
{{- include "rapport.checkSecrets" (dict "ctx" . "path" "gateway" "values" .Values.gateway) -}}
{{- include "rapport.replicasFit" (dict "path" "gateway" "replicas" .Values.gateway.replicas "pdb" .Values.gateway.pdb "autoscaling" .Values.gateway.autoscaling) -}}
{{- if .Values.operator.enabled -}}
{{- include "rapport.replicasFit" (dict "path" "operator" "replicas" .Values.operator.replicas "pdb" .Values.operator.pdb "autoscaling" (dict "enabled" false)) -}}
{{- end -}}
{{- range $name, $svc := .Values.services -}}
{{- if $svc.enabled -}}
{{- $path := printf "services.%s" $name -}}
{{- include "rapport.checkSecrets" (dict "ctx" $ "path" $path "values" $svc) -}}
{{- include "rapport.replicasFit" (dict "path" $path "replicas" $svc.replicas "pdb" $svc.pdb "autoscaling" $svc.autoscaling) -}}
{{- range $svc.calls -}}
{{- if not (dig . "enabled" false $.Values.services) -}}
{{- fail (printf "%s.calls names %q, which is not an enabled service of services" $path .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if include "rapport.production" . -}}
{{- range $path, $value := dict "redis.url" .Values.redis.url "smtp.url" .Values.smtp.url "operator.adminDSN" .Values.operator.adminDSN -}}
{{- if $value -}}
{{- fail (printf "%s must not be set in production mode: give it through an existingSecret reference (see the chart's README)" $path) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.redis.url .Values.redis.existingSecret -}}
{{- fail "redis.url is set together with redis.existingSecret: drop one of them" -}}
{{- end -}}
{{- if and .Values.smtp.url .Values.smtp.existingSecret -}}
{{- fail "smtp.url is set together with smtp.existingSecret: drop one of them" -}}
{{- end -}}
{{- if and (or .Values.smtp.url .Values.smtp.existingSecret) (not .Values.smtp.from) -}}
{{- fail "smtp.from is required with SMTP (GATEWAY_MAIL_FROM), e.g. \"Rapport <noreply@example.com>\"" -}}
{{- end -}}
{{- $tls := .Values.gateway.tls -}}
{{- if and $tls.enabled (not $tls.existingSecret) (not $tls.certManager.enabled) -}}
{{- fail "gateway.tls.enabled needs gateway.tls.existingSecret or gateway.tls.certManager.enabled" -}}
{{- end -}}
{{- if and $tls.certManager.enabled (not $tls.certManager.issuerRef.name) -}}
{{- fail "gateway.tls.certManager.issuerRef.name is required with gateway.tls.certManager.enabled" -}}
{{- end -}}
{{- if and (or .Values.gateway.ingress.enabled .Values.gateway.httpRoute.enabled $tls.certManager.enabled) (not .Values.gateway.host) -}}
{{- fail "gateway.host is required with gateway.ingress, gateway.httpRoute or gateway.tls.certManager" -}}
{{- end -}}
{{- if and .Values.gateway.httpRoute.enabled (not .Values.gateway.httpRoute.parentRefs) -}}
{{- fail "gateway.httpRoute.parentRefs is required with gateway.httpRoute.enabled: the Gateway the route attaches to" -}}
{{- end -}}
{{- end -}}
