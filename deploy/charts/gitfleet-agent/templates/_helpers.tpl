{{- define "gitfleet-agent.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gitfleet-agent.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gitfleet-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gitfleet-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gitfleet-agent.labels" -}}
{{ include "gitfleet-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "gitfleet-agent.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "gitfleet-agent.bootstrapSecret" -}}
{{- .Values.bootstrapToken.existingSecret | default (printf "%s-bootstrap" (include "gitfleet-agent.fullname" .)) -}}
{{- end -}}

{{- define "gitfleet-agent.credentialSecret" -}}
{{- printf "%s-credential" (include "gitfleet-agent.fullname" .) -}}
{{- end -}}

{{/* A subject list for the agent's service account. */}}
{{- define "gitfleet-agent.subjects" -}}
- {kind: ServiceAccount, name: {{ include "gitfleet-agent.fullname" . }}, namespace: {{ .Release.Namespace }}}
{{- end -}}

{{/* Values the agent cannot start without fail the render with what to set. */}}
{{- define "gitfleet-agent.validate" -}}
{{- if not .Values.hub.address -}}
{{- fail "hub.address is required: HOST:PORT of the hub's gRPC Service as this cluster reaches it (gitfleet cluster add NAME --output helm-values prints it)" -}}
{{- end -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" (.Values.cluster.name | toString)) -}}
{{- fail (printf "cluster.name must be a DNS label (lowercase letters, digits, '-'), got %q" (.Values.cluster.name | toString)) -}}
{{- end -}}
{{- if and .Values.bootstrapToken.value .Values.bootstrapToken.existingSecret -}}
{{- fail "set bootstrapToken.value or bootstrapToken.existingSecret, not both" -}}
{{- end -}}
{{- end -}}

{{/* k=v,k2=v2 in key order, as the agent's --labels flag takes them. */}}
{{- define "gitfleet-agent.formatLabels" -}}
{{- $pairs := list -}}
{{- range $k, $v := . -}}
{{- $pairs = append $pairs (printf "%s=%s" $k ($v | toString)) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}
