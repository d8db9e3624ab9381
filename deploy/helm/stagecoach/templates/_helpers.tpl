{{/* Labels every object carries; $ is the root context, .name the service. */}}
{{- define "stagecoach.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/part-of: stagecoach
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
stagecoach.io/environment: {{ .root.Values.environment }}
{{- end -}}

{{- define "stagecoach.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/part-of: stagecoach
{{- end -}}

{{/* Refuses a values file installed into a namespace it does not name: dev values never land in prod. */}}
{{- define "stagecoach.checkNamespace" -}}
{{- $ns := required "namespace is required (values-<env>.yaml)" .Values.namespace -}}
{{- if ne $ns .Release.Namespace -}}
{{- fail (printf "values are for namespace %s, the release is being installed into %s" $ns .Release.Namespace) -}}
{{- end -}}
{{- end -}}
