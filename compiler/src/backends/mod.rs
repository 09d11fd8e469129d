//! Backends: one module per program, each turning the IR into what that program reads (its
//! config files and command line), expressed as one normalized [`Service`] record. Target
//! renderers (`crate::targets`) read only service records, so there is no component × target
//! matrix: a backend is told *where* things are by a [`Ctx`] (hosts, paths, listen address),
//! and a renderer decides *how* a deployment runs them.

pub mod alertmanager;
pub mod grafana;
pub mod grafana_alerting;
pub mod loki;
pub mod node_exporter;
pub mod prometheus;
pub mod tempo;

use crate::ir::{self, SecretRef};
use serde::Serialize;
use std::collections::BTreeMap;

/// A file a program reads, relative to the service's config directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigFile {
    pub path: String,
    pub content: String,
}

/// A port a service listens on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortSpec {
    /// `http`, `grpc`, `otlp-grpc`, `otlp-http`, `cluster`.
    pub name: String,
    pub port: u16,
    /// Published/exposed to users (HTTP UIs and ingest endpoints); internal ports are not.
    pub public: bool,
}

/// An HTTP readiness or liveness probe on the program's own endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Probe {
    pub path: String,
    pub port: u16,
    /// Seconds to wait before the first probe.
    pub initial_delay: u32,
}

/// A secret the program needs, by reference, and the file name it reads it under in the
/// service's secrets directory (when the target materialises secrets as files).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretUse {
    pub name: String,
    pub secret: SecretRef,
}

/// A network flow this service starts: to `service` on `port` (for NetworkPolicies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub to: String,
    pub port: u16,
}

/// A numeric user and group a program runs as in containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
}

/// One running program, normalised: everything a target renderer needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Component name: `prometheus`, `grafana`, …
    pub name: String,
    /// Executable name (looked up in the target's `bin` map, else on PATH).
    pub program: String,
    pub version: String,
    /// Arguments, with paths already in the target's form (see [`Ctx`]).
    pub args: Vec<String>,
    pub files: Vec<ConfigFile>,
    pub ports: Vec<PortSpec>,
    /// Data directories to create, relative to the service's data directory (`""` = itself).
    pub data_dirs: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub secrets: Vec<SecretUse>,
    pub readiness: Probe,
    pub liveness: Probe,
    /// Services that must be ready first.
    pub depends_on: Vec<String>,
    pub flows: Vec<Flow>,
    pub user: User,
    /// Directories that need writable scratch space (tmpfs/emptyDir with a read-only root).
    pub scratch: Vec<String>,
    /// Seconds to wait after SIGTERM before SIGKILL.
    pub stop_timeout: u32,
    /// Stores data worth keeping (StatefulSet + volume claim on Kubernetes).
    pub stateful: bool,
}

/// How a target lays services out; backends render paths and hosts from it.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Address programs listen on: `127.0.0.1` natively, `0.0.0.0` in containers.
    pub listen: String,
    /// Host name of each component as others reach it.
    pub hosts: BTreeMap<String, String>,
    /// Root of config directories. Native: the shell variable `$GSTACK_CONFIG`.
    pub config_root: Root,
    /// Root of data directories. Native: the shell variable `$GSTACK_DATA`.
    pub data_root: Root,
    /// Where file secrets appear: `Direct` reads the user's own path (native); `Dir(d)` means
    /// the target mounts each secret as `d/<component>/<name>`.
    pub secrets: SecretLayout,
    /// Prometheus discovers pods through the Kubernetes API (`kubernetes_sd_configs`).
    pub kubernetes_sd: bool,
}

/// A path root: either an environment variable set at run time, or a fixed absolute path.
#[derive(Clone, Debug)]
pub enum Root {
    Env(&'static str),
    Fixed(String),
    /// Each program's conventional data directory in its upstream image, which images create
    /// owned by the program's user (so a fresh volume mounted there is writable).
    Conventional,
}

/// The data directory each program's upstream image creates for its user.
pub fn conventional_data_dir(comp: &str) -> String {
    match comp {
        "prometheus" => "/prometheus".into(),
        "alertmanager" => "/alertmanager".into(),
        "loki" => "/loki".into(),
        "tempo" => "/var/tempo".into(),
        "grafana" => "/var/lib/grafana".into(),
        other => format!("/var/lib/{other}"),
    }
}

#[derive(Clone, Debug)]
pub enum SecretLayout {
    Direct,
    Dir(String),
    /// Every secret at `secrets/<name>` relative to the program's config directory, its
    /// working directory (systemd copies credentials there before the start).
    Relative,
}

/// The syntax a program uses to read an environment variable inside its own config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// A shell command line or a systemd ExecStart=: `${VAR}`.
    Shell,
    /// Loki/Tempo with `-config.expand-env=true`: `${VAR}`.
    Expand,
    /// grafana.ini: `$__env{VAR}`.
    GrafanaIni,
    /// Grafana provisioning YAML: `$VAR`.
    GrafanaProvisioning,
}

impl Ctx {
    fn root(r: &Root, syntax: Syntax) -> String {
        match r {
            Root::Fixed(p) => p.clone(),
            Root::Conventional => String::new(),
            Root::Env(v) => match syntax {
                Syntax::GrafanaProvisioning => format!("${v}"),
                // `${VAR}` works in a shell and inside a word of a systemd ExecStart=
                Syntax::Shell | Syntax::Expand => format!("${{{v}}}"),
                Syntax::GrafanaIni => format!("$__env{{{v}}}"),
            },
        }
    }
    /// `<config root>/<component>[/rel]` in the given syntax.
    pub fn config_dir(&self, comp: &str, rel: &str, syntax: Syntax) -> String {
        join(&format!("{}/{comp}", Self::root(&self.config_root, syntax)), rel)
    }
    /// `<data root>/<component>[/rel]` in the given syntax.
    pub fn data_dir(&self, comp: &str, rel: &str, syntax: Syntax) -> String {
        match self.data_root {
            Root::Conventional => join(&conventional_data_dir(comp), rel),
            _ => join(&format!("{}/{comp}", Self::root(&self.data_root, syntax)), rel),
        }
    }
    /// `host:port` of a component as others reach it.
    pub fn addr(&self, comp: &str, port: u16) -> String {
        format!("{}:{port}", self.hosts.get(comp).map(String::as_str).unwrap_or("127.0.0.1"))
    }
    /// `http://host:port` of a component.
    pub fn url(&self, comp: &str, port: u16) -> String {
        format!("http://{}", self.addr(comp, port))
    }
    /// `listen:port`
    pub fn listen_on(&self, port: u16) -> String {
        format!("{}:{port}", self.listen)
    }
    /// Path at which a program reads a secret as a file. With [`SecretLayout::Direct`] a file
    /// secret is read where it is, and an environment secret from `secrets/<name>` relative to
    /// the program's config directory, its working directory (the target writes it there
    /// before the program starts).
    pub fn secret_file(&self, comp: &str, name: &str, secret: &SecretRef) -> String {
        match (&self.secrets, secret) {
            (SecretLayout::Direct, SecretRef::File(p)) => p.clone(),
            // written at start into the (run-time copy of the) config directory, which is the
            // program's working directory
            (SecretLayout::Direct, SecretRef::Env(_)) => format!("secrets/{name}"),
            (SecretLayout::Dir(d), _) => format!("{d}/{comp}/{name}"),
            (SecretLayout::Relative, _) => format!("secrets/{name}"),
        }
    }
}

fn join(a: &str, rel: &str) -> String {
    if rel.is_empty() {
        a.to_string()
    } else {
        format!("{a}/{rel}")
    }
}

/// The default context of a component host map: every enabled component at `host`.
pub fn hosts_all(stack: &ir::Stack, host: impl Fn(&str) -> String) -> BTreeMap<String, String> {
    components(stack).into_iter().map(|c| (c.to_string(), host(c))).collect()
}

/// Names of the enabled components, in start order.
pub fn components(stack: &ir::Stack) -> Vec<&'static str> {
    let mut v = vec![];
    if stack.node_exporter.is_some() {
        v.push("node_exporter");
    }
    if stack.alertmanager.is_some() {
        v.push("alertmanager");
    }
    if stack.prometheus.is_some() {
        v.push("prometheus");
    }
    if stack.loki.is_some() {
        v.push("loki");
    }
    if stack.tempo.is_some() {
        v.push("tempo");
    }
    if stack.grafana.is_some() {
        v.push("grafana");
    }
    v
}

/// Every service of the stack, for one target's context.
pub fn services(stack: &ir::Stack, ctx: &Ctx) -> Vec<Service> {
    let mut out = vec![];
    if let Some(n) = &stack.node_exporter {
        out.push(node_exporter::service(n, ctx));
    }
    if let Some(a) = &stack.alertmanager {
        out.push(alertmanager::service(a, ctx));
    }
    if let Some(p) = &stack.prometheus {
        out.push(prometheus::service(stack, p, ctx));
    }
    if let Some(l) = &stack.loki {
        out.push(loki::service(stack, l, ctx));
    }
    if let Some(t) = &stack.tempo {
        out.push(tempo::service(stack, t, ctx));
    }
    if let Some(g) = &stack.grafana {
        out.push(grafana::service(stack, g, ctx));
    }
    out
}

/// Serialise a JSON value tree as YAML (via `serde_norway`).
pub fn yaml(v: &serde_json::Value) -> String {
    serde_norway::to_string(v).expect("JSON values serialise as YAML")
}

/// Merge freeform `settings` over generated config: objects merge key by key, anything else
/// replaces.
pub fn merge(base: &mut serde_json::Value, over: &ir::Settings) {
    for (k, v) in over {
        merge_value(base, k, v);
    }
}

fn merge_value(base: &mut serde_json::Value, k: &str, v: &serde_json::Value) {
    let Some(obj) = base.as_object_mut() else { return };
    match (obj.get_mut(k), v) {
        (Some(existing @ serde_json::Value::Object(_)), serde_json::Value::Object(vo)) => {
            for (k2, v2) in vo {
                merge_value(existing, k2, v2);
            }
        }
        _ => {
            obj.insert(k.to_string(), v.clone());
        }
    }
}

/// Rule files in Prometheus' `groups:` format, one per group name.
pub fn rule_groups(rules: &[ir::AlertRule], interval: Option<ir::Duration>) -> serde_json::Value {
    let mut groups: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
    for r in rules {
        let mut rule = serde_json::json!({ "alert": r.name, "expr": r.expr.expr });
        if r.for_.millis > 0 {
            rule["for"] = serde_json::json!(r.for_.to_prometheus());
        }
        if !r.labels.is_empty() {
            rule["labels"] = serde_json::json!(r.labels);
        }
        if !r.annotations.is_empty() {
            rule["annotations"] = serde_json::json!(r.annotations);
        }
        groups.entry(&r.group).or_default().push(rule);
    }
    serde_json::json!({
        "groups": groups.into_iter().map(|(name, rules)| {
            let mut g = serde_json::json!({ "name": name, "rules": rules });
            if let Some(i) = interval { g["interval"] = serde_json::json!(i.to_prometheus()); }
            g
        }).collect::<Vec<_>>()
    })
}
