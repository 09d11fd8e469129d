//! `gstackc build`'s look at the previous build in its output directory: the Kubernetes API
//! server refuses to change some fields of an existing workload, so new manifests that change
//! one are right for a fresh install but make `kubectl apply` (and `helm upgrade`) of an
//! existing one fail. [`check`] compares each workload of the new `kubernetes/*.yaml` with the
//! previous build's of the same kind, namespace and name, and warns (W0604) of every change
//! with the migration.
//!
//! The fields, after the API server's validation of updates (apps/v1;
//! <https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/>, "updates to
//! statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy',
//! 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are
//! forbidden"; <https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates>):
//! a StatefulSet's `spec.selector`, `spec.serviceName`, `spec.podManagementPolicy` and
//! `spec.volumeClaimTemplates`; a Deployment's and a DaemonSet's `spec.selector`. They are
//! compared as the server compares what it stores: quantities by value (`10Gi` is `10240Mi`),
//! defaults filled in (`podManagementPolicy: OrderedReady`, `volumeMode: Filesystem`), and a
//! claim template's `apiVersion`, `kind` and `status` (which older builds did not write) left
//! out.
//!
//! Only the previous build's own files are read: those its manifest lists
//! ([`outdir::previous_outputs`]) as `kubernetes/<file>.yaml`, never through a symlink, at
//! most [`FILE_LIMIT`] bytes each. A file or a document that does not parse, or a workload
//! without a name, is skipped: a hand-edited or truncated previous output never fails a build.

use crate::diag::{Diagnostic, Location, Severity};
use crate::outdir::{self, Output};
use serde_json::{json, Value};
use std::path::Path;

/// The largest previous file read (bigger ones are skipped).
pub const FILE_LIMIT: u64 = 64 << 20;

/// The kinds compared, all `apps/v1`.
const KINDS: &[&str] = &["StatefulSet", "Deployment", "DaemonSet"];

/// Which source value a [`Change`] comes from, and so which migration it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The requested size of claim template `claim` (the kubernetes target's
    /// `resources <component> { storage = … }`); `grows` when the new size is bigger.
    Storage { claim: String, grows: bool },
    /// The storage class of claim template `claim` (the target's `storage_class`).
    StorageClass { claim: String },
    /// The pod selector (the stack's name and the component's: the labels it matches).
    Selector,
    /// Any other immutable field (`serviceName`, `podManagementPolicy`, another part of a
    /// claim template, a claim template added or removed).
    Other,
}

/// One immutable field that differs between the previous and the new output of a workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `StatefulSet`, `Deployment` or `DaemonSet`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The component the workload runs, as gstack names its objects (`node-exporter` is
    /// `node_exporter`).
    pub component: String,
    /// The number of pods (a StatefulSet's claims are `<claim>-<name>-<ordinal>`).
    pub replicas: u64,
    /// What differs, as the message shows it: `volumeClaimTemplates[data] storage`, `selector`.
    pub field: String,
    /// The previous and the new value, as shown.
    pub old: String,
    pub new: String,
    pub cause: Cause,
}

impl Change {
    /// `StatefulSet observability/prometheus: volumeClaimTemplates[data] storage 10Gi → 20Gi`.
    pub fn message(&self) -> String {
        format!("{} {}/{}: {} {} → {}", self.kind, self.namespace, self.name, self.field, self.old, self.new)
    }

    /// The migration for an existing install; `apply` is the command that applies the new
    /// manifests.
    pub fn hint(&self, apply: &str) -> String {
        let (ns, name) = (shell_word(&self.namespace), shell_word(&self.name));
        let kind = self.kind.to_lowercase();
        let orphan = format!("`kubectl -n {ns} delete {kind} {name} --cascade=orphan`, then apply again (`{apply}`): the pods keep running and the new {} adopts them and their claims", self.kind);
        // the claims of the pods: `data-prometheus-0` (each ordinal's, with more replicas)
        let claims = |claim: &str| match self.replicas {
            0 | 1 => format!("{claim}-{}-0", self.name),
            n => format!("{claim}-{}-<0…{}>", self.name, n - 1),
        };
        match &self.cause {
            Cause::Storage { claim, grows: true } => {
                let patch = json!({ "spec": { "resources": { "requests": { "storage": self.new } } } }).to_string();
                format!(
                    "the API server refuses to change an existing StatefulSet's volume claim templates (these files are right for a fresh install). To migrate an existing one: resize its claim where the claim's storage class allows expansion (`kubectl -n {ns} patch pvc {} -p {}`), then {orphan}",
                    claims(claim),
                    shell_word(&patch)
                )
            }
            Cause::Storage { claim, grows: false } => format!(
                "the API server refuses to change an existing StatefulSet's volume claim templates (these files are right for a fresh install), and a claim cannot shrink: the existing {} keeps its {}. To migrate: {orphan}",
                claims(claim),
                self.old
            ),
            Cause::StorageClass { claim } => format!(
                "the API server refuses to change an existing StatefulSet's volume claim templates (these files are right for a fresh install), and a claim's class cannot change: the existing {} keeps its class (move the data to a new claim if it must change). To migrate: {orphan}",
                claims(claim)
            ),
            Cause::Selector => format!(
                "the API server refuses to change an existing {}'s selector (these files are right for a fresh install). To migrate: `kubectl -n {ns} delete {kind} {name}` (its pods go; a StatefulSet's claims stay and its new pods re-attach to them), then apply again (`{apply}`)",
                self.kind
            ),
            Cause::Other => format!("the API server refuses to change this field of an existing {} (these files are right for a fresh install). To migrate: {orphan}", self.kind),
        }
    }
}

/// A word as a POSIX shell reads it: as is when it is plain, else single-quoted.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The workloads (apps/v1 StatefulSets, Deployments and DaemonSets with a name) of a
/// multi-document YAML text; documents that do not parse are skipped.
pub fn workloads(text: &str) -> Vec<Value> {
    let mut out = vec![];
    // documents start at a `---` line: parsed one by one, so that one bad document costs
    // only itself, and only those that can be a workload (ConfigMaps are most of the text)
    let mut docs = vec![];
    let mut start = 0;
    for (i, line) in text.split_inclusive('\n').scan(0, |at, l| {
        let s = *at;
        *at += l.len();
        Some((s, l))
    }) {
        if line.trim_end() == "---" {
            docs.push(&text[start..i]);
            start = i + line.len();
        }
    }
    docs.push(&text[start..]);
    // a workload's `kind:` is a line of its own at the top level (a ConfigMap's text that
    // names one is indented under `data:`)
    let top_kind = |d: &str| d.lines().any(|l| l.strip_prefix("kind:").is_some_and(|k| KINDS.contains(&k.trim().trim_matches(['"', '\'']))));
    for doc in docs.into_iter().filter(|d| top_kind(d)) {
        let Ok(v) = serde_norway::from_str::<Value>(doc) else { continue };
        let kind = v["kind"].as_str().unwrap_or_default();
        if v["apiVersion"] == "apps/v1" && KINDS.contains(&kind) && well_formed(&v) {
            out.push(v);
        }
    }
    out
}

/// Whether a workload has what every workload has (a name, a selector, a pod template) and
/// every claim template of a StatefulSet a name and a spec: a file cut short can still parse,
/// and is then no evidence of what the cluster holds.
fn well_formed(v: &Value) -> bool {
    let spec = &v["spec"];
    v["metadata"]["name"].is_string()
        && spec["selector"].is_object()
        && spec["template"].is_object()
        && spec
            .get("volumeClaimTemplates")
            .is_none_or(|c| c.as_array().is_some_and(|c| c.iter().all(|c| c["metadata"]["name"].is_string() && c["spec"].is_object())))
}

/// The workloads of the previous build in `root` (its manifest's `kubernetes/*.yaml`).
pub fn previous(root: &Path) -> Vec<Value> {
    let mut out = vec![];
    for p in outdir::previous_outputs(root) {
        let mut parts = p.iter();
        let is_manifest = parts.next().is_some_and(|d| d == "kubernetes")
            && parts.next().is_some_and(|f| Path::new(f).extension().is_some_and(|e| e == "yaml"))
            && parts.next().is_none();
        if is_manifest {
            if let Some(text) = outdir::read_previous(root, &p, FILE_LIMIT) {
                out.extend(workloads(&text));
            }
        }
    }
    out
}

/// The workloads of this build's outputs (`kubernetes/*.yaml`).
pub fn current(outputs: &[Output]) -> Vec<Value> {
    outputs
        .iter()
        .filter(|o| o.path.strip_prefix("kubernetes/").is_some_and(|f| !f.contains('/') && f.ends_with(".yaml")))
        .flat_map(|o| workloads(&o.content))
        .collect()
}

fn key(o: &Value) -> (String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (s(&o["kind"]), s(&o["metadata"]["namespace"]), s(&o["metadata"]["name"]))
}

/// A Kubernetes quantity's value (`10Gi`, `500M`, `1.5Ti`, `1e9`), for comparing sizes as
/// the API server does; `None` when it is not one.
pub fn quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let num_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(s.len());
    let (num, suffix) = s.split_at(num_end);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        _ => return None,
    };
    Some(n * mult)
}

/// A map of labels as shown: `{k=v,…}` in key order; `{}` for none; anything else as JSON.
fn show_labels(v: &Value) -> String {
    match v {
        Value::Null => "{}".into(),
        Value::Object(m) => {
            let mut pairs: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect();
            pairs.sort();
            format!("{{{}}}", pairs.join(","))
        }
        _ => v.to_string(),
    }
}

/// A selector as shown: its `matchLabels` as `{k=v,…}` when that is all it has, else its JSON.
fn show_selector(v: &Value) -> String {
    match (v.get("matchLabels"), v.as_object().map(|m| m.len())) {
        (Some(m), Some(1)) if m.is_object() => show_labels(m),
        _ => v.to_string(),
    }
}

fn text_or(v: &Value, absent: &str) -> String {
    v.as_str().map_or_else(|| if v.is_null() { absent.to_string() } else { v.to_string() }, str::to_string)
}

/// A claim template's spec as the server compares it, without the size and class (compared
/// on their own): `volumeMode` defaulted.
fn claim_rest(c: &Value) -> Value {
    let mut spec = c["spec"].clone();
    if let Some(m) = spec.as_object_mut() {
        m.remove("storageClassName");
        m.entry("volumeMode").or_insert(json!("Filesystem"));
        if let Some(req) = m.get_mut("resources").and_then(|r| r.get_mut("requests")).and_then(Value::as_object_mut) {
            req.remove("storage");
        }
    }
    json!({ "labels": c["metadata"]["labels"], "annotations": c["metadata"]["annotations"], "spec": spec })
}

/// The immutable fields that differ between `old` and `new` workloads of the same kind,
/// namespace and name (objects in only one of them are not compared), in `new`'s order.
pub fn changes(old: &[Value], new: &[Value]) -> Vec<Change> {
    let mut out = vec![];
    for n in new {
        let k = key(n);
        let Some(o) = old.iter().find(|o| key(o) == k) else { continue };
        let (kind, namespace, name) = k;
        let change = |field: String, old: String, new: String, cause: Cause| Change {
            kind: kind.clone(),
            namespace: namespace.clone(),
            name: name.clone(),
            component: name.replace('-', "_"),
            replicas: n["spec"]["replicas"].as_u64().unwrap_or(1),
            field,
            old,
            new,
            cause,
        };
        let (os, ns) = (&o["spec"], &n["spec"]);
        let selector_changed = os["selector"] != ns["selector"];
        if selector_changed {
            out.push(change("selector".into(), show_selector(&os["selector"]), show_selector(&ns["selector"]), Cause::Selector));
        }
        if kind != "StatefulSet" {
            continue;
        }
        if os["serviceName"] != ns["serviceName"] {
            out.push(change("serviceName".into(), text_or(&os["serviceName"], "(none)"), text_or(&ns["serviceName"], "(none)"), Cause::Other));
        }
        let policy = |s: &Value| text_or(&s["podManagementPolicy"], "OrderedReady");
        if policy(os) != policy(ns) {
            out.push(change("podManagementPolicy".into(), policy(os), policy(ns), Cause::Other));
        }
        let claims = |s: &Value| -> Vec<(String, Value)> {
            s["volumeClaimTemplates"].as_array().into_iter().flatten().map(|c| (text_or(&c["metadata"]["name"], ""), c.clone())).collect()
        };
        let (oc, nc) = (claims(os), claims(ns));
        for (cname, c) in &nc {
            let field = |what: &str| format!("volumeClaimTemplates[{cname}] {what}");
            let Some((_, p)) = oc.iter().find(|(x, _)| x == cname) else {
                out.push(change(format!("volumeClaimTemplates[{cname}]"), "(none)".into(), "added".into(), Cause::Other));
                continue;
            };
            let size = |c: &Value| c["spec"]["resources"]["requests"]["storage"].clone();
            let (ps, cs) = (size(p), size(c));
            let same = match (ps.as_str().and_then(quantity), cs.as_str().and_then(quantity)) {
                (Some(a), Some(b)) => a == b,
                _ => ps == cs,
            };
            if !same {
                let grows = matches!((ps.as_str().and_then(quantity), cs.as_str().and_then(quantity)), (Some(a), Some(b)) if b > a);
                out.push(change(field("storage"), text_or(&ps, "(none)"), text_or(&cs, "(none)"), Cause::Storage { claim: cname.clone(), grows }));
            }
            let class = |c: &Value| text_or(&c["spec"]["storageClassName"], "(the default class)");
            if class(p) != class(c) {
                out.push(change(field("storageClassName"), class(p), class(c), Cause::StorageClass { claim: cname.clone() }));
            }
            let (pr, cr) = (claim_rest(p), claim_rest(c));
            // the claims' labels follow the selector's (the stack's and component's names):
            // the selector's migration replaces the StatefulSet anyway
            if pr["labels"] != cr["labels"] && !selector_changed {
                out.push(change(field("labels"), show_labels(&pr["labels"]), show_labels(&cr["labels"]), Cause::Other));
            }
            if pr["annotations"] != cr["annotations"] {
                out.push(change(field("annotations"), show_labels(&pr["annotations"]), show_labels(&cr["annotations"]), Cause::Other));
            }
            if pr["spec"] != cr["spec"] {
                out.push(change(field("spec"), pr["spec"].to_string(), cr["spec"].to_string(), Cause::Other));
            }
        }
        for (cname, _) in oc.iter().filter(|(x, _)| !nc.iter().any(|(y, _)| y == x)) {
            out.push(change(format!("volumeClaimTemplates[{cname}]"), "present".into(), "removed".into(), Cause::Other));
        }
    }
    out
}

/// The W0604 warnings of a build writing `outputs` into `root`: one per [`Change`] between
/// the previous build's workloads there and the new ones, at the location `locate` gives
/// (none when it gives none). `apply` is the command the hint names for applying the new
/// manifests. Reads only the previous build's own files; never fails.
pub fn check(root: &Path, outputs: &[Output], apply: &str, locate: &dyn Fn(&Change) -> Option<Location>) -> Vec<Diagnostic> {
    let old = previous(root);
    if old.is_empty() {
        return vec![];
    }
    changes(&old, &current(outputs))
        .into_iter()
        .map(|c| {
            let mut d = match locate(&c) {
                Some(at) => Diagnostic::error("W0604", &at.file, at.span, c.message()),
                None => {
                    let mut d = Diagnostic::global("W0604", c.message());
                    d.severity = Severity::Warning;
                    d
                }
            };
            d.label = Some(format!("{} was {} in the previous build", c.field, c.old));
            d.hint = Some(c.hint(apply));
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_compare_by_value() {
        assert_eq!(quantity("10Gi"), quantity("10240Mi"));
        assert_eq!(quantity("1G"), quantity("1e9"));
        assert_eq!(quantity("1.5Ki"), Some(1536.0));
        assert_ne!(quantity("10Gi"), quantity("10G"));
        assert_eq!(quantity("ten"), None);
        assert_eq!(quantity("10Zi"), None);
    }

    #[test]
    fn malformed_documents_are_skipped() {
        let ok = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector: {matchLabels: {a: b}}\n  template: {}\n";
        let text = format!("---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: [\n---\n{ok}---\nkind: DaemonSet\n");
        let w = workloads(&text);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0]["metadata"]["name"], "a");
        // cut short: a claim template without its name or spec
        let cut = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  selector: {}\n  template: {}\n  volumeClaimTemplates:\n  - apiVers\n";
        assert!(workloads(cut).is_empty());
        assert_eq!(workloads(ok.replace("name: a", "name: [a]").as_str()).len(), 0);
        assert!(workloads("\u{0}\u{ffff}: : :\n---\n- DaemonSet").is_empty());
    }
}
