{{- define "gitfleet-hub.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gitfleet-hub.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gitfleet-hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gitfleet-hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gitfleet-hub.labels" -}}
{{ include "gitfleet-hub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "gitfleet-hub.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "gitfleet-hub.claimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-data" (include "gitfleet-hub.fullname" .)) -}}
{{- end -}}

{{/* Settings that cannot work together fail the render with what to change (values.schema.json checks each alone). */}}
{{- define "gitfleet-hub.validate" -}}
{{- $db := .Values.database.type -}}
{{- if and (gt (int .Values.replicaCount) 1) (eq $db "sqlite") -}}
{{- fail (printf "replicaCount=%d needs database.type=postgresql: an embedded SQLite database has one writer on one volume (set replicaCount=1, or use PostgreSQL with secret.existingSecret)" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and (eq $db "postgresql") (not .Values.secret.existingSecret) -}}
{{- fail "database.type=postgresql needs secret.existingSecret: a Secret with keys database-url, admin-token and secret-key (all replicas must share the admin token and the key that encrypts Source credentials)" -}}
{{- end -}}
{{- end -}}
