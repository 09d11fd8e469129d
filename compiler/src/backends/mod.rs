//! Backends: one module per program, each turning the IR into what that program reads (its
//! config files and command line), expressed as one normalized [`Service`] record. Target
//! renderers (`crate::targets`) read only service records, so there is no component × target
//! matrix: a backend is told *where* things are by a [`Ctx`] (hosts, paths, listen address),
//! and a renderer decides *how* a deployment runs them.

pub mod alertmanager;
pub mod grafana;
pub mod loki;
pub mod node_exporter;
pub mod prometheus;
pub mod tempo;

use crate::ir::{self, SecretRef};
pub use crate::programs::{Component, PortRole, User};
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
    /// Who may reach it (from the facts table): decides publishing, Ingress and policies.
    pub role: PortRole,
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
    /// The program reads this environment variable itself (Grafana's `$__env{VAR}`): a target
    /// passes the variable to the process instead of writing it to a file first.
    pub reads_env: bool,
}

impl SecretUse {
    /// A secret the program reads as a file (environment secrets are written to one first).
    pub fn file(name: impl Into<String>, secret: SecretRef) -> SecretUse {
        SecretUse { name: name.into(), secret, reads_env: false }
    }
}

/// The directory of static files a program's package ships, given to it by a flag (Grafana's
/// `--homepath`). The backend already puts the flag in [`Service::args`] with the path from
/// [`Ctx::home`]; a target whose context says [`HomeLayout::Env`] sets [`Home::env`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Home {
    /// Environment variable the argument reads (`GSTACK_GRAFANA_HOME`).
    pub env: String,
    /// The directory relative to the package's prefix, next to `bin/` (`share/grafana`).
    pub package_dir: String,
    /// Where distribution packages and the images keep it (`/usr/share/grafana`).
    pub system_dir: String,
}

/// A network flow out of the stack: to any address on `port` (user scrape targets, alert
/// receivers, datasources outside the stack).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExternalFlow {
    pub port: u16,
    /// Why, for comments and diagnostics (`scrape job app`).
    pub why: String,
}

/// A directory of the host mounted read-only into a program that measures the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostMount {
    /// On the host: `/`, `/proc`, `/sys`.
    pub host: String,
    /// In the container: `/host/root`.
    pub path: String,
}

/// The host and port of an address a program connects to: `https://hooks.example.com/x`
/// → (`hooks.example.com`, 443), `db.internal:5432` → (`db.internal`, 5432); the port from
/// the URL, else the scheme's (`http` 80, `https` 443), else `default`. `None` when no port
/// can be told.
pub fn host_port(addr: &str, default: Option<u16>) -> Option<(String, u16)> {
    let (scheme, rest) = match addr.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, addr),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => (h, p.parse::<u16>().ok()),
        _ => (authority, None),
    };
    let by_scheme = match scheme.as_deref() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    };
    let port = port.or(by_scheme).or(default)?;
    Some((host.trim_start_matches('[').trim_end_matches(']').to_string(), port))
}

/// A network flow this service starts: to `service` on `port` (for NetworkPolicies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub to: Component,
    pub port: u16,
    /// UDP as well as TCP (gossip: memberlist probes peers over UDP).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub udp: bool,
}

/// One running program, normalised: everything a target renderer needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Which program of the facts table this is.
    pub component: Component,
    /// Component name: `prometheus`, `grafana`, … (the facts table's `name`).
    pub name: String,
    /// DNS-safe name for services, containers and objects: `node-exporter`.
    pub host_name: String,
    /// The image a container target runs unless the target names another:
    /// `gstack/<package>:<version>` (the flake's image tag).
    pub image: String,
    /// The data directory inside that image, owned by [`Service::user`] (volumes mount
    /// here): [`conventional_data_dir`].
    pub image_data_dir: String,
    /// The package's static files (Grafana's home), when the program needs them.
    pub home: Option<Home>,
    /// Talks to the Kubernetes API (Prometheus' pod discovery): needs RBAC and API egress.
    pub kubernetes_api: bool,
    /// Flows to addresses outside the stack.
    pub external_flows: Vec<ExternalFlow>,
    /// Where the host's root file system is mounted, read-only, for a program that measures
    /// the host ([`crate::programs::Facts::measures_host`]) in a target that isolates it
    /// ([`Ctx::host_rootfs`]); the target also gives it the host's PID namespace.
    pub host_rootfs: Option<String>,
    /// The host's directories such a program reads, each mounted read-only at its path in
    /// the container (`/` at the host root, and `/proc`, `/sys` where the target mounts them
    /// apart: [`Ctx::host_kernel_fs`]). A target that runs it per node (Kubernetes: a
    /// DaemonSet with the host's PID and network namespaces) reads them from here.
    pub host_mounts: Vec<HostMount>,
    /// Arguments that make the program print its version and exit 0 (`["--version"]`).
    pub version_args: Vec<String>,
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
    pub depends_on: Vec<Component>,
    pub flows: Vec<Flow>,
    pub user: User,
    /// Directories that need writable scratch space (tmpfs/emptyDir with a read-only root).
    pub scratch: Vec<String>,
    /// Seconds to wait after SIGTERM before SIGKILL.
    pub stop_timeout: u32,
    /// Stores data worth keeping (StatefulSet + volume claim on Kubernetes).
    pub stateful: bool,
    /// Measures the machine it runs on: reads all of `/proc` (not only the process
    /// directories) and the kernel clock's state (`adjtimex`, read-only).
    pub host_metrics: bool,
    /// Source values the backend could not encode for its program ([`crate::encode`]):
    /// `gstackc build` fails with these instead of writing the files.
    #[serde(skip)]
    pub refusals: Vec<crate::encode::Refusal>,
}

/// How a target lays services out; backends render paths and hosts from it.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Address programs listen on: `127.0.0.1` natively, `0.0.0.0` in containers.
    pub listen: String,
    /// Host name of each component as others reach it.
    pub hosts: BTreeMap<Component, String>,
    /// Host of each component as the target's user reaches it (a browser, a link in an alert):
    /// what programs put in the links they make (`--web.external-url`, `ruler.external_url`).
    pub external_hosts: BTreeMap<Component, String>,
    /// Where a package's static files are (see [`Home`]).
    pub home: HomeLayout,
    /// The target serves the stack's web UI over TLS (a Kubernetes Ingress with a TLS
    /// Secret): the UI's session cookies must be `Secure` (Grafana's `[security] cookie_secure`).
    pub external_tls: bool,
    /// Root of config directories. Native: the shell variable `$GSTACK_CONFIG`.
    pub config_root: Root,
    /// Root of data directories. Native: the shell variable `$GSTACK_DATA`.
    pub data_root: Root,
    /// Where file secrets appear: `Direct` reads the user's own path (native); `Dir(d)` means
    /// the target mounts each secret as `d/<component>/<name>`.
    pub secrets: SecretLayout,
    /// Prometheus discovers pods through the Kubernetes API (`kubernetes_sd_configs`).
    pub kubernetes_sd: bool,
    /// Programs run isolated from the host (containers): a program that measures the host
    /// reads the host's root file system at this path.
    pub host_rootfs: Option<String>,
    /// Where the target mounts the host's `/proc` and `/sys` apart from its root (Kubernetes,
    /// as node_exporter's docs ask): `(procfs, sysfs)`; `None` reads them under the root.
    pub host_kernel_fs: Option<(String, String)>,
    /// A program that measures the host runs once on every node (a Kubernetes DaemonSet on
    /// the node's network): its host name resolves to every instance (a headless Service), so
    /// its scrapers discover the instances by DNS (`dns_sd_configs`) instead of one address.
    pub per_node: bool,
    /// Programs run in their own network namespace, where a loopback address is the
    /// program's own container: a user's target on `127.0.0.1`/`localhost`/`[::1]` means the
    /// host, which the target reaches by this name (compose: `host.docker.internal`).
    pub host_loopback: Option<String>,
    /// Where the peers of a replicated program run (Alertmanager's `replicas`).
    pub peers: PeerLayout,
    /// The peer being rendered, when a backend renders one of several: `(component, i)`, `i`
    /// from 1 (peer 0 is the component itself). Its name, host name and directories are
    /// `<component>-<i>` ([`Ctx::instance_name`]).
    pub instance: Option<(Component, usize)>,
}

/// Where the peers of a replicated program run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerLayout {
    /// All on one host (native, systemd): each peer listens on ports of its own, the
    /// backend's block of ports shifted by `i × block` for peer `i` ([`Ctx::peer_port`]).
    OneHost,
    /// Each on a host of its own (compose services, Kubernetes Services), on the same ports:
    /// peer `i` ≥ 1 at host `<component>-<i>` wherever the component's host name appears in
    /// its address ([`Ctx::peer_host`]).
    OwnHost,
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

/// Where a program's package keeps its static files in a target (see [`Home`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HomeLayout {
    /// An environment variable the target sets (`${GSTACK_GRAFANA_HOME}`): native, systemd.
    Env,
    /// The system directory, as in the images and distribution packages.
    System,
}

/// The data directory a program's image creates for its user (`/var/lib/<name>` if none).
pub fn conventional_data_dir(comp: Component) -> String {
    comp.facts().image_data_dir.map_or_else(|| format!("/var/lib/{}", comp.name()), str::to_string)
}

#[derive(Clone, Debug)]
pub enum SecretLayout {
    Direct,
    Dir(String),
    /// File secrets at `files/<component>/<name>`, environment secrets at
    /// `env/<component>/<name>` (compose: environment secrets are copied into a volume of
    /// their own, mounted there, because compose cannot copy them into a read-only container).
    DirEnvApart { files: String, env: String },
    /// Relative to the program's config directory, its working directory: a file secret at
    /// `../credentials/<name>` (systemd's credentials directory, mounted there), an
    /// environment secret at `../secrets/<name>` (written there before the start).
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
    /// The name of the component being rendered: its own (`alertmanager`), or for peer `i`
    /// ≥ 1 of a replicated one `alertmanager-<i>` ([`Ctx::instance`]). Services, directories and
    /// secrets are named after it.
    pub fn instance_name(&self, comp: Component) -> String {
        peer_name(comp.name(), self.peer_of(comp))
    }
    /// The host name of the component being rendered ([`host_name`], `-<i>` for peer `i` ≥ 1).
    pub fn instance_host_name(&self, comp: Component) -> String {
        peer_name(&host_name(comp), self.peer_of(comp))
    }
    /// Which peer of `comp` is being rendered (0 for the component itself).
    fn peer_of(&self, comp: Component) -> usize {
        match self.instance {
            Some((c, i)) if c == comp => i,
            _ => 0,
        }
    }
    /// `<config root>/<instance>[/rel]` in the given syntax.
    pub fn config_dir(&self, comp: Component, rel: &str, syntax: Syntax) -> String {
        self.service_config_dir(&self.instance_name(comp), rel, syntax)
    }
    /// The config directory of the service named `name` ([`Service::name`]): what a target
    /// uses, as it renders every peer with one context.
    pub fn service_config_dir(&self, name: &str, rel: &str, syntax: Syntax) -> String {
        join(&format!("{}/{name}", Self::root(&self.config_root, syntax)), rel)
    }
    /// `<data root>/<instance>[/rel]` in the given syntax.
    pub fn data_dir(&self, comp: Component, rel: &str, syntax: Syntax) -> String {
        match self.data_root {
            Root::Conventional => join(&conventional_data_dir(comp), rel),
            _ => join(&format!("{}/{}", Self::root(&self.data_root, syntax), self.instance_name(comp)), rel),
        }
    }
    /// This context for peer `i` of `comp` (0: the component itself).
    pub fn for_peer(&self, comp: Component, i: usize) -> Ctx {
        Ctx { instance: (i > 0).then_some((comp, i)), ..self.clone() }
    }
    /// Peer `i`'s port for the backend's `port`, in a block of `block` ports per peer:
    /// `port + i × block` on one host, `port` on hosts of their own.
    pub fn peer_port(&self, i: usize, port: u16, block: u16) -> u16 {
        match self.peers {
            // (past 65535 is refused by the checker, E0500)
            PeerLayout::OneHost => port.saturating_add((i as u16).saturating_mul(block)),
            PeerLayout::OwnHost => port,
        }
    }
    /// The host peer `i` of `comp` is reached at: the component's ([`Ctx::addr`]) on one
    /// host; else the component's host with its name replaced by `<component>-<i>`.
    pub fn peer_host(&self, comp: Component, i: usize) -> String {
        let host = self.hosts.get(&comp).cloned().unwrap_or_else(|| "127.0.0.1".into());
        let base = host_name(comp);
        match (self.peers, host.strip_prefix(&base)) {
            (PeerLayout::OwnHost, Some(rest)) => format!("{}{rest}", peer_name(&base, i)),
            _ => host,
        }
    }
    /// The static files of a package in this target: `${ENV}` or the system directory.
    pub fn home_dir(&self, home: &Home) -> String {
        match self.home {
            HomeLayout::Env => format!("${{{}}}", home.env),
            HomeLayout::System => home.system_dir.clone(),
        }
    }
    /// `host:port` of a component (peer 0 of a replicated one) as others reach it.
    pub fn addr(&self, comp: Component, port: u16) -> String {
        format!("{}:{port}", self.hosts.get(&comp).map(String::as_str).unwrap_or("127.0.0.1"))
    }
    /// `http://host:port` of a component.
    pub fn url(&self, comp: Component, port: u16) -> String {
        format!("http://{}", self.addr(comp, port))
    }
    /// `http://host:port` of a component as the target's user reaches it.
    pub fn external_url(&self, comp: Component, port: u16) -> String {
        format!("http://{}:{port}", self.external_hosts.get(&comp).map(String::as_str).unwrap_or("127.0.0.1"))
    }
    /// `listen:port`
    pub fn listen_on(&self, port: u16) -> String {
        format!("{}:{port}", self.listen)
    }
    /// Path at which a program reads a secret as a file. With [`SecretLayout::Direct`] a file
    /// secret is read where it is, and an environment secret from `secrets/<name>` relative to
    /// the program's config directory, its working directory (the target writes it there
    /// before the program starts).
    pub fn secret_file(&self, comp: Component, name: &str, secret: &SecretRef) -> String {
        match (&self.secrets, secret) {
            (SecretLayout::Direct, SecretRef::File(p)) => p.clone(),
            // written at start into the (run-time copy of the) config directory, which is the
            // program's working directory
            (SecretLayout::Direct, SecretRef::Env(_)) => format!("secrets/{name}"),
            (SecretLayout::Dir(d), _) => format!("{d}/{}/{name}", self.instance_name(comp)),
            (SecretLayout::DirEnvApart { files, .. }, SecretRef::File(_)) => format!("{files}/{}/{name}", self.instance_name(comp)),
            (SecretLayout::DirEnvApart { env, .. }, SecretRef::Env(_)) => format!("{env}/{}/{name}", self.instance_name(comp)),
            (SecretLayout::Relative, SecretRef::File(_)) => format!("../credentials/{name}"),
            (SecretLayout::Relative, SecretRef::Env(_)) => format!("../secrets/{name}"),
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
pub fn hosts_all(stack: &ir::Stack, host: impl Fn(Component) -> String) -> BTreeMap<Component, String> {
    crate::programs::enabled(stack).into_iter().map(|c| (c, host(c))).collect()
}

/// The name of peer `i` of something called `base`: `base` itself for peer 0, `base-<i>` after.
fn peer_name(base: &str, i: usize) -> String {
    if i == 0 { base.to_string() } else { format!("{base}-{i}") }
}

/// DNS-safe name of a component for services, containers and objects: `node-exporter`.
pub fn host_name(c: Component) -> String {
    c.name().replace('_', "-")
}

/// Every service of the stack, for one target's context, in start order: each enabled
/// component's backend, then the facts every target needs from the table.
pub fn services(stack: &ir::Stack, ctx: &Ctx) -> Vec<Service> {
    let mut out = vec![];
    for c in Component::ALL {
        let s = match c {
            Component::NodeExporter => stack.node_exporter.as_ref().map(|n| node_exporter::service(n, ctx)),
            // every peer of a cluster, the component itself first
            Component::Alertmanager => {
                out.extend(stack.alertmanager.iter().flat_map(|a| (0..a.replicas as usize).map(|i| alertmanager::service(a, &ctx.for_peer(c, i), i))));
                None
            }
            Component::Prometheus => stack.prometheus.as_ref().map(|p| prometheus::service(stack, p, ctx)),
            Component::Loki => stack.loki.as_ref().map(|l| loki::service(stack, l, ctx)),
            Component::Tempo => stack.tempo.as_ref().map(|t| tempo::service(stack, t, ctx)),
            Component::Grafana => stack.grafana.as_ref().map(|g| grafana::service(stack, g, ctx)),
        };
        out.extend(s);
    }
    out
}

/// A service record with the facts table's parts filled in; the backend sets the rest
/// (program-specific parts start empty: no files, ports, secrets, flows).
pub fn base_service(c: Component, version: &str, readiness: Probe, liveness: Probe) -> Service {
    let f = c.facts();
    Service {
        component: c,
        name: f.name.into(),
        host_name: host_name(c),
        image: c.default_image(version),
        image_data_dir: conventional_data_dir(c),
        home: None,
        kubernetes_api: false,
        external_flows: vec![],
        host_rootfs: None,
        host_mounts: vec![],
        version_args: vec![f.version_flag.into()],
        program: f.program.into(),
        version: version.into(),
        args: vec![],
        files: vec![],
        ports: vec![],
        data_dirs: vec![],
        env: BTreeMap::new(),
        secrets: vec![],
        readiness,
        liveness,
        depends_on: vec![],
        flows: vec![],
        user: f.user,
        scratch: vec![],
        stop_timeout: 30,
        stateful: false,
        host_metrics: f.measures_host,
        refusals: vec![],
    }
}

/// The port specs of an enabled component, from the facts table and the IR's values.
pub fn port_specs(stack: &ir::Stack, c: Component) -> Vec<PortSpec> {
    crate::programs::ports_of(stack, c).into_iter().map(|(f, port)| PortSpec { name: f.name.into(), port, role: f.role }).collect()
}

/// Serialise a JSON value tree as YAML (via `serde_norway`).
///
/// Every string a YAML 1.1 reader would take for another type is written double-quoted:
/// `serde_norway` quotes what YAML 1.2 reads as a bool, number or null, but PyYAML, Ruby's
/// Psych and Go's yaml.v2 read YAML 1.1, where `472:0` is the integer 28320 (base 60),
/// `on`/`no`/`y` are booleans, `0o17`/`1_000`/`.5` numbers and `2001-12-14` a date (type
/// regexps of https://yaml.org/type/). Such strings are swapped for plain placeholders that
/// `serde_norway` writes unquoted, then replaced by their JSON encoding, which is a YAML
/// double-quoted scalar.
pub fn yaml(v: &serde_json::Value) -> String {
    let mut quoted = vec![];
    let mut tree = v.clone();
    // placeholders: a prefix no string of the tree contains, so none can be mistaken for one
    let mut prefix = String::from("gstackq");
    while contains_text(v, &prefix) {
        prefix.push('q');
    }
    swap_yaml11_ambiguous(&mut tree, &prefix, &mut quoted);
    let mut text = serde_norway::to_string(&tree).expect("JSON values serialise as YAML");
    // longest placeholders first, so `…q1` does not replace inside `…q12`
    for (i, s) in quoted.iter().enumerate().rev() {
        let q = serde_json::to_string(s).expect("strings serialise as JSON");
        text = text.replace(&format!("{prefix}{i}x"), &q);
    }
    text
}

fn contains_text(v: &serde_json::Value, needle: &str) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains(needle),
        serde_json::Value::Array(a) => a.iter().any(|x| contains_text(x, needle)),
        serde_json::Value::Object(m) => m.iter().any(|(k, x)| k.contains(needle) || contains_text(x, needle)),
        _ => false,
    }
}

fn swap_yaml11_ambiguous(v: &mut serde_json::Value, prefix: &str, quoted: &mut Vec<String>) {
    let swap = |s: &str, quoted: &mut Vec<String>| -> Option<String> {
        yaml11_not_a_string(s).then(|| {
            quoted.push(s.to_string());
            format!("{prefix}{}x", quoted.len() - 1)
        })
    };
    match v {
        serde_json::Value::String(s) => {
            if let Some(p) = swap(s, quoted) {
                *s = p;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| swap_yaml11_ambiguous(x, prefix, quoted)),
        serde_json::Value::Object(m) => {
            let old = std::mem::take(m);
            for (k, mut x) in old {
                swap_yaml11_ambiguous(&mut x, prefix, quoted);
                let k = swap(&k, quoted).unwrap_or(k);
                m.insert(k, x);
            }
        }
        _ => {}
    }
}

/// A plain scalar YAML 1.1 resolves to something other than a string (or YAML 1.2 might):
/// a bool, null, int (binary, octal, decimal, hex, base 60), float, timestamp, merge key or
/// value key. Conservative: any token starting like a number and made only of the characters
/// of numbers (digits, hex digits, `x o _ : . + -`) counts, and anything starting like a date
/// (`2001-12-14…`). `15s` or `10m` are strings to every reader and stay plain.
pub fn yaml11_not_a_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On",
        "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "", "<<", "=", ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF",
        "+.inf", "+.Inf", "+.INF", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let b = s.as_bytes();
    let date = b.len() >= 6 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5].is_ascii_digit();
    let first = s.chars().next().unwrap_or(' ');
    date || ((first.is_ascii_digit() || matches!(first, '+' | '-' | '.'))
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, 'x' | 'X' | 'o' | 'O' | '_' | ':' | '.' | '+' | '-')))
}

/// Merge freeform `settings` over generated config: objects merge key by key; a list of named
/// entries (every entry of both lists an object with a string `job_name`, else `name`:
/// Prometheus' `scrape_configs`, Alertmanager's `receivers` and `time_intervals`, Loki's and
/// Prometheus' rule `groups`, Grafana's `datasources`) merges entry by entry, an entry of the
/// settings merged over the generated one of its name and the others appended in order;
/// anything else (a scalar, an unnamed list such as `route.routes`) replaces.
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
        (Some(serde_json::Value::Array(existing)), serde_json::Value::Array(vs)) if named_key(existing, vs).is_some() => {
            let key = named_key(existing, vs).unwrap_or_default();
            for v in vs {
                match existing.iter_mut().find(|e| e[key] == v[key]) {
                    Some(e) => {
                        for (k2, v2) in v.as_object().into_iter().flatten() {
                            merge_value(e, k2, v2);
                        }
                    }
                    None => existing.push(v.clone()),
                }
            }
        }
        _ => {
            obj.insert(k.to_string(), v.clone());
        }
    }
}

/// The key that names the entries of two lists, when every entry of both has it as a string:
/// `job_name`, else `name`.
fn named_key(a: &[serde_json::Value], b: &[serde_json::Value]) -> Option<&'static str> {
    ["job_name", "name"].into_iter().find(|k| !a.is_empty() && a.iter().chain(b).all(|e| e.get(*k).is_some_and(|n| n.is_string())))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `settings` merge: objects key by key, named lists entry by entry (by `job_name`, else
    /// `name`), anything else replaces.
    #[test]
    fn settings_merge_named_lists_by_name() {
        let mut base = json!({
            "scrape_configs": [{ "job_name": "prometheus", "metrics_path": "/metrics" }, { "job_name": "app", "scrape_interval": "15s" }],
            "route": { "receiver": "a", "routes": [{ "receiver": "b" }] },
            "receivers": [{ "name": "a", "webhook_configs": [{ "url": "http://a" }] }],
        });
        let over: ir::Settings = serde_json::from_value(json!({
            "scrape_configs": [{ "job_name": "app", "scrape_interval": "5s" }, { "job_name": "extra" }],
            "route": { "routes": [{ "receiver": "c" }] },
            "receivers": [{ "name": "b" }],
        }))
        .unwrap();
        merge(&mut base, &over);
        assert_eq!(
            base,
            json!({
                "scrape_configs": [{ "job_name": "prometheus", "metrics_path": "/metrics" }, { "job_name": "app", "scrape_interval": "5s" }, { "job_name": "extra" }],
                "route": { "receiver": "a", "routes": [{ "receiver": "c" }] },
                "receivers": [{ "name": "a", "webhook_configs": [{ "url": "http://a" }] }, { "name": "b" }],
            })
        );
    }
}
