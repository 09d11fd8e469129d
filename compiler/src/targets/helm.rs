//! The Helm target: `helm/<chart>/` with `Chart.yaml`, `values.yaml` and `templates/`, a real
//! chart (https://helm.sh/docs/topics/charts/) rendering the same objects as the kubernetes
//! target for its default values.
//!
//! The templates are the kubernetes target's objects, written as JSON (valid YAML, so Helm
//! reads it) with the values operators tune replaced by template expressions: namespace,
//! images, resources, storage size and class, node selectors and tolerations, existing Secret
//! names, and the Ingress.

use super::kubernetes as k8s;
use super::Output;
use crate::backends::Service;
use crate::ir;
use serde_json::{json, Map, Value};

/// What the chart's service records have for a namespace: every occurrence (the addresses
/// in the config files, which are data of ConfigMaps) becomes `{{ .Release.Namespace }}`,
/// which Helm expands inside the ConfigMaps' strings too (a namespace needs no JSON escape).
/// Config hashes are taken over the files with the token, so they change when a config does.
pub const NAMESPACE_TOKEN: &str = "gstack-release-namespace";

/// The kinds of the kubernetes target's workloads (one per component).
const WORKLOADS: &[&str] = &["StatefulSet", "Deployment", "DaemonSet"];

/// The values key of a component: `node_exporter` → `nodeExporter`.
pub fn values_key(comp: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in comp.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The values key of a workload object (`node-exporter` → `nodeExporter`).
fn workload_key(o: &Value) -> String {
    values_key(&o["metadata"]["name"].as_str().unwrap_or_default().replace('-', "_"))
}

/// A JSON string that is replaced, quotes and all, by the raw template expression.
fn raw(expr: &str) -> Value {
    Value::String(format!("__HELM_RAW__{expr}__HELM_END__"))
}

fn c_pod(o: &Value) -> &Map<String, Value> {
    o["spec"]["template"]["spec"].as_object().expect("pod spec")
}

/// Default values: exactly what the kubernetes target renders.
pub fn values(stack: &ir::Stack, k: &ir::KubernetesTarget, services: &[Service]) -> Value {
    let mut v = Map::new();
    for (file, objs) in k8s::files(stack, k, services) {
        let _ = file;
        for o in &objs {
            let kind = o["kind"].as_str().unwrap_or_default();
            if !WORKLOADS.contains(&kind) {
                continue;
            }
            let c = &o["spec"]["template"]["spec"]["containers"][0];
            let mut cv = json!({
                "image": c["image"],
                "resources": c["resources"],
                "nodeSelector": c_pod(o).get("nodeSelector").cloned().unwrap_or_else(|| json!({})),
                "tolerations": c_pod(o).get("tolerations").cloned().unwrap_or_else(|| json!([])),
            });
            if let Some(claim) = o["spec"]["volumeClaimTemplates"].get(0) {
                cv["storage"] = json!({
                    "size": claim["spec"]["resources"]["requests"]["storage"],
                    "className": claim["spec"].get("storageClassName").cloned().unwrap_or(Value::String(String::new())),
                });
            }
            if let Some(vols) = o["spec"]["template"]["spec"]["volumes"].as_array() {
                if let Some(sec) = vols.iter().find(|v| v.get("secret").is_some()) {
                    cv["existingSecret"] = sec["secret"]["secretName"].clone();
                }
            }
            v.insert(workload_key(o), cv);
        }
    }
    let ingress = match &k.ingress {
        Some(i) => json!({ "enabled": true, "host": i.host, "tlsSecret": i.tls_secret.clone().unwrap_or_default(), "className": i.class.clone().unwrap_or_default() }),
        None => json!({ "enabled": false, "host": "", "tlsSecret": "", "className": "" }),
    };
    v.insert("ingress".into(), ingress);
    Value::Object(v)
}

/// Escape Go-template delimiters in literal text (PromQL legends, alert templates and
/// dashboards contain `{{ … }}`): `{{` becomes {{`{{`}} — a raw-string action, which needs no
/// quoting inside the JSON the templates are written in.
fn escape_braces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let a = rest.find("{{");
        let b = rest.find("}}");
        let (pos, tok) = match (a, b) {
            (Some(a), Some(b)) if a <= b => (a, "{{"),
            (Some(a), None) => (a, "{{"),
            (_, Some(b)) => (b, "}}"),
            (None, None) => break,
        };
        out.push_str(&rest[..pos]);
        out.push_str(&format!("{{{{`{tok}`}}}}"));
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}

fn escape_all(v: &mut Value) {
    match v {
        Value::String(s) if s.contains("{{") || s.contains("}}") => *s = escape_braces(s),
        Value::Array(a) => a.iter_mut().for_each(escape_all),
        Value::Object(m) => {
            let old = std::mem::take(m);
            for (k, mut x) in old {
                escape_all(&mut x);
                m.insert(escape_braces(&k), x);
            }
        }
        _ => {}
    }
}

/// Turn one kubernetes-target object into its template.
fn templatize(mut o: Value) -> Value {
    escape_all(&mut o);
    let kind = o["kind"].as_str().unwrap_or_default().to_string();
    if o["metadata"].get("namespace").is_some() {
        o["metadata"]["namespace"] = raw("{{ .Release.Namespace | toJson }}");
    }
    if o["metadata"]["labels"].get(k8s::NAMESPACE_LABEL).is_some() {
        o["metadata"]["labels"][k8s::NAMESPACE_LABEL] = raw("{{ .Release.Namespace | toJson }}");
    }
    // cluster-scoped: named after the release's namespace, so that releases of the chart in
    // two namespaces do not both claim one ClusterRole
    if kind == "ClusterRole" || kind == "ClusterRoleBinding" {
        let labels = &o["metadata"]["labels"];
        let (stack, host) = (labels["app.kubernetes.io/instance"].to_string(), labels["app.kubernetes.io/name"].to_string());
        let name = raw(&format!("{{{{ printf \"%s-%s-%s-discovery\" {stack} .Release.Namespace {host} | toJson }}}}"));
        o["metadata"]["name"] = name.clone();
        if kind == "ClusterRoleBinding" {
            o["roleRef"]["name"] = name;
        }
    }
    if kind == "ClusterRoleBinding" {
        if let Some(subjects) = o["subjects"].as_array_mut() {
            for s in subjects {
                s["namespace"] = raw("{{ .Release.Namespace | toJson }}");
            }
        }
    }
    if WORKLOADS.contains(&kind.as_str()) {
        let vk = workload_key(&o);
        let pod = &mut o["spec"]["template"]["spec"];
        pod["containers"][0]["image"] = raw(&format!("{{{{ .Values.{vk}.image | toJson }}}}"));
        pod["containers"][0]["resources"] = raw(&format!("{{{{ .Values.{vk}.resources | toJson }}}}"));
        // only when set: the server drops an empty map or list, and a client-side apply
        // would then report the object `configured` at every apply
        let p = pod.as_object_mut().expect("pod spec");
        p.remove("nodeSelector");
        p.remove("tolerations");
        let containers = p.remove("containers").expect("containers");
        p.insert(
            format!(
                "__HELM_RAW__{{{{- with .Values.{vk}.nodeSelector }}}}\"nodeSelector\": {{{{ . | toJson }}}},{{{{- end }}}}{{{{- with .Values.{vk}.tolerations }}}}\"tolerations\": {{{{ . | toJson }}}},{{{{- end }}}}\"containers__HELM_END__"
            ),
            containers,
        );
        if let Some(vols) = pod["volumes"].as_array_mut() {
            for v in vols {
                if v.get("secret").is_some() {
                    v["secret"]["secretName"] = raw(&format!("{{{{ .Values.{vk}.existingSecret | toJson }}}}"));
                }
            }
        }
        if let Some(claim) = o["spec"].get_mut("volumeClaimTemplates").and_then(|v| v.get_mut(0)) {
            let spec = claim["spec"].as_object_mut().unwrap();
            spec.remove("storageClassName");
            let mut m = Map::new();
            // the class only when set, like the kubernetes target
            m.insert(
                format!("__HELM_RAW__{{{{- with .Values.{vk}.storage.className }}}}\"storageClassName\": {{{{ . | toJson }}}},{{{{- end }}}}\"accessModes__HELM_END__"),
                spec["accessModes"].clone(),
            );
            spec.remove("accessModes");
            for (key, val) in spec.iter() {
                m.insert(key.clone(), val.clone());
            }
            m.get_mut("resources").unwrap()["requests"]["storage"] = raw(&format!("{{{{ .Values.{vk}.storage.size | toJson }}}}"));
            claim["spec"] = Value::Object(m);
        }
    }
    if kind == "Ingress" {
        let rule = &mut o["spec"]["rules"][0];
        rule["host"] = raw("{{ .Values.ingress.host | toJson }}");
    }
    o
}

/// The chart's helpers, `templates/_gstack.tpl` (a file Helm reads for definitions and never
/// renders as an object): `gstack.bytes`, a Kubernetes quantity as a number of bytes, so that
/// sizes compare as the API server compares them (`10Gi` is `10240Mi`); a quantity that is not
/// an integer with a binary or decimal suffix (`1.5Gi`) stays its text.
const HELPERS: &str = r#"{{- /* Generated by gstackc. A Kubernetes quantity as a number of bytes ("10Gi" is "10240Mi"); its text when it is not an integer with a suffix. */ -}}
{{- define "gstack.bytes" -}}
{{- $q := toString . -}}
{{- $n := regexFind "^[0-9]+" $q -}}
{{- $suffix := trimPrefix $n $q -}}
{{- $units := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "P" 1000000000000000 -}}
{{- if and $n (hasKey $units $suffix) -}}
{{- mul (atoi $n) (get $units $suffix) -}}
{{- else -}}
{{- $q -}}
{{- end -}}
{{- end -}}
"#;

/// What the chart's StatefulSet template does before rendering a StatefulSet `o`: Kubernetes
/// refuses to change an existing StatefulSet's `volumeClaimTemplates`
/// (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/), and a `helm
/// upgrade` changing a claim's size or class would fail half-way (`--dry-run=server` does not
/// notice). So the template looks the StatefulSet up in the release's namespace (Helm's
/// `lookup`, https://helm.sh/docs/chart_template_guide/functions_and_pipelines/#using-the-lookup-function)
/// and, when it exists and a claim template's storage request (compared as bytes) or storage
/// class differs from the values, `fail`s naming the value (`<vk>.storage.size`,
/// `<vk>.storage.className`), the old and new setting and the migration, before anything
/// changes. `lookup` returns nothing in `helm template`, `helm lint` and client-side dry runs,
/// which render as before. Renders no text.
fn claim_guard(o: &Value, vk: &str) -> String {
    let name = o["metadata"]["name"].as_str().unwrap_or_default();
    let mut out = format!(
        "{{{{- /* Kubernetes refuses to change an existing StatefulSet's volume claim templates: refuse an upgrade that would, with the migration */}}}}\n{{{{- $old := lookup \"apps/v1\" \"StatefulSet\" .Release.Namespace {name:?} }}}}\n{{{{- if $old }}}}\n{{{{- range (dig \"spec\" \"volumeClaimTemplates\" (list) $old) }}}}\n"
    );
    let migrate = format!(
        "To migrate: resize the existing claim where its storage class allows expansion (a claim cannot shrink; kubectl -n %s patch pvc %s-{name}-0 -p '{{\\\"spec\\\":{{\\\"resources\\\":{{\\\"requests\\\":{{\\\"storage\\\":\\\"%s\\\"}}}}}}}}'), then kubectl -n %s delete statefulset {name} --cascade=orphan and upgrade again: the pod keeps running and the new StatefulSet adopts it and its claim"
    );
    let class_migrate = format!(
        "A claim's class cannot change: the existing claim keeps its class (move the data to a new claim if it must change). To migrate: kubectl -n %s delete statefulset {name} --cascade=orphan and upgrade again: the pod keeps running and the new StatefulSet adopts it and its claim"
    );
    for claim in o["spec"]["volumeClaimTemplates"].as_array().into_iter().flatten() {
        let c = claim["metadata"]["name"].as_str().unwrap_or_default();
        out.push_str(&format!(
            "{{{{- if eq (dig \"metadata\" \"name\" \"\" .) {c:?} }}}}\n\
             {{{{- $was := toString (dig \"spec\" \"resources\" \"requests\" \"storage\" \"\" .) }}}}\n\
             {{{{- $want := toString $.Values.{vk}.storage.size }}}}\n\
             {{{{- if ne (include \"gstack.bytes\" $was) (include \"gstack.bytes\" $want) }}}}\n\
             {{{{- fail (printf \"{vk}.storage.size: StatefulSet %s/{name}: volumeClaimTemplates[{c}] storage %s → %s, which Kubernetes refuses to change on an existing StatefulSet. {migrate}\" $.Release.Namespace $was $want $.Release.Namespace {c:?} $want $.Release.Namespace) }}}}\n\
             {{{{- end }}}}\n\
             {{{{- $wasClass := toString (dig \"spec\" \"storageClassName\" \"\" .) }}}}\n\
             {{{{- $wantClass := toString ($.Values.{vk}.storage.className | default \"\") }}}}\n\
             {{{{- if ne $wasClass $wantClass }}}}\n\
             {{{{- fail (printf \"{vk}.storage.className: StatefulSet %s/{name}: volumeClaimTemplates[{c}] storageClassName %s → %s, which Kubernetes refuses to change on an existing StatefulSet. {class_migrate}\" $.Release.Namespace (ternary \"(the default class)\" $wasClass (empty $wasClass)) (ternary \"(the default class)\" $wantClass (empty $wantClass)) $.Release.Namespace) }}}}\n\
             {{{{- end }}}}\n\
             {{{{- end }}}}\n"
        ));
    }
    out.push_str("{{- end }}\n{{- end }}\n");
    out
}

fn ingress_template(o: Value) -> String {
    let mut o = o;
    let tls = o["spec"].as_object_mut().unwrap().remove("tls");
    let class = o["spec"].as_object_mut().unwrap().remove("ingressClassName");
    let _ = (tls, class);
    let mut spec = Map::new();
    spec.insert(
        "__HELM_RAW__{{- with .Values.ingress.className }}\"ingressClassName\": {{ . | toJson }},{{- end }}{{- with .Values.ingress.tlsSecret }}\"tls\": [{\"hosts\": [{{ $.Values.ingress.host | toJson }}], \"secretName\": {{ . | toJson }}}],{{- end }}\"rules__HELM_END__".into(),
        o["spec"]["rules"].clone(),
    );
    o["spec"] = Value::Object(spec);
    format!("{{{{- if .Values.ingress.enabled }}}}\n{}\n{{{{- end }}}}\n", doc(&o))
}

fn doc(o: &Value) -> String {
    let text = serde_json::to_string_pretty(o).expect("json");
    // keys carrying a fragment: `"__HELM_RAW__<frag>"key__HELM_END__": v` → `<frag>"key": v`
    let text = text.replace("\\\"", "\u{1}");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(p) = rest.find("\"__HELM_RAW__") {
        out.push_str(&rest[..p]);
        let after = &rest[p + "\"__HELM_RAW__".len()..];
        let end = after.find("__HELM_END__").expect("closed");
        let inner = &after[..end];
        let tail = &after[end + "__HELM_END__".len()..];
        out.push_str(&inner.replace('\u{1}', "\""));
        if tail.starts_with("\":") {
            // a key fragment ends with the key's opening quote and name: close it
            out.push('"');
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
    out.replace('\u{1}', "\\\"")
}

/// The chart's files, from the kubernetes target's service records.
pub fn render(stack: &ir::Stack, h: &ir::HelmTarget, k: &ir::KubernetesTarget, services: &[Service]) -> Vec<Output> {
    let base = format!("helm/{}", h.chart);
    let mut keywords: Vec<&str> = services.iter().map(|s| s.program.as_str()).collect();
    keywords.push("observability");
    let mut out = vec![
        Output::file(
            format!("{base}/Chart.yaml"),
            crate::backends::yaml(&json!({
                "apiVersion": "v2",
                "name": h.chart,
                "description": format!("The `{}` observability stack, generated by gstackc", stack.name),
                "type": "application",
                "version": h.version,
                "appVersion": h.version,
                "keywords": keywords,
            })),
        ),
        Output::file(
            format!("{base}/values.yaml"),
            format!(
                "# Defaults render the same objects as the kubernetes target. Replicas stay 1: every\n# component is a single binary with local storage.\n{}",
                crate::backends::yaml(&values(stack, k, services))
            ),
        ),
    ];
    for (file, objs) in k8s::files(stack, k, services) {
        let mut text = String::new();
        for o in objs {
            if o["kind"] == "StatefulSet" {
                text.push_str(&claim_guard(&o, &workload_key(&o)));
            }
            if o["kind"] == "Ingress" {
                text.push_str(&ingress_template(templatize(o)));
            } else {
                text.push_str("---\n");
                text.push_str(&doc(&templatize(o)));
                text.push('\n');
            }
        }
        // (after the objects' own `{{` were escaped: the token is the one expression left)
        let text = text.replace(NAMESPACE_TOKEN, "{{ .Release.Namespace }}");
        out.push(Output::file(format!("{base}/templates/{file}"), text));
    }
    out.push(Output::file(format!("{base}/templates/_gstack.tpl"), HELPERS));
    out
}
