//! The programs a stack can run, and every fact about each that more than one layer needs, in
//! one table: [`Component`] and [`Component::facts`].
//!
//! Everything that used to be a hand list of component names (which components are Grafana
//! datasources, which Prometheus scrapes, the port-clash check, start order, image names and
//! data directories, which ports a cluster opens to applications, hover and completion) is an
//! iteration over [`Component::ALL`] or a match on [`Component`]. Adding a program adds a
//! variant; every `match` that lacks its arm is then a compile error, which is the list of
//! places to fill in (see `docs/contributing.md`).
//!
//! Layering: this module imports only [`crate::ir`]. Each program's schema (fields, typed
//! defaults) is in `sema::schema` (its block entry in [`crate::sema::schema::STACK`]); its
//! backend in `backends/<name>.rs`; `nix/components.nix` is generated from this table
//! ([`components_nix`], checked by the test `nix_components_are_generated`).

use crate::ir::{self, QueryLang};
use serde::Serialize;

/// A program of the stack. Declared in start order: a program starts after those it sends to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    NodeExporter,
    Alertmanager,
    Prometheus,
    Loki,
    Tempo,
    Grafana,
}

/// A numeric user and group a program runs as in containers (its upstream image's user).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
}

/// What a port is for, which decides who may reach it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PortRole {
    /// A web UI people open (Grafana): published, and what an Ingress points at.
    Ui,
    /// An HTTP API the stack's own programs and operators use (query, push, metrics).
    Api,
    /// Where applications send data (OTLP, Loki's push API): open to every pod of a cluster.
    Ingest,
    /// Only scraped by Prometheus (node-exporter): exposed by the image, not published.
    Metrics,
    /// Between replicas or programs of the stack only (gRPC, gossip): never published.
    Internal,
}

impl PortRole {
    /// Published on the host by local targets (compose), and reachable by people.
    pub fn published(self) -> bool {
        matches!(self, PortRole::Ui | PortRole::Api | PortRole::Ingest)
    }
    /// Declared by the image (`ExposedPorts`, `nix/components.nix`'s `ports`).
    pub fn exposed(self) -> bool {
        !matches!(self, PortRole::Internal)
    }
}

/// A port field of a component's block (`port`, `grpc_port`, …): the schema holds its default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PortField {
    /// Field name in the component's schema.
    pub field: &'static str,
    /// Port name in service records and Kubernetes (`http`, `grpc`, `otlp-grpc`, …).
    pub name: &'static str,
    pub role: PortRole,
}

/// A component that Grafana queries as a datasource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DatasourceFacts {
    /// Grafana plugin id (`type` in provisioning), e.g. `prometheus`.
    pub plugin: &'static str,
    /// The provisioned datasource's name, e.g. `Prometheus`.
    pub title: &'static str,
    /// Query languages it answers; empty for a datasource that is not queried by panels.
    pub languages: &'static [QueryLang],
}

/// Prometheus scrapes the component itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SelfScrape {
    /// The scrape job's name (`job` label), e.g. `node` for node-exporter.
    pub job: &'static str,
    /// HTTP path of its metrics endpoint.
    pub path: &'static str,
    /// The port field it is scraped on.
    pub port_field: &'static str,
}

/// Every fact about one program that more than one layer reads.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// The component's name in source, paths, host names and the IR: `node_exporter`.
    pub name: &'static str,
    /// The executable (`bin/<program>`; the key of a target's `bin` map).
    pub program: &'static str,
    /// The flake's package attribute; the image is `gstack/<package>:<major.minor>`.
    pub package: &'static str,
    /// Where nixpkgs 25.11 keeps the program (`pkgs/by-name/…/package.nix`).
    pub nixpkgs_attr: &'static str,
    /// The user its images run as (the upstream image's numbers).
    pub user: User,
    /// That user's name in the upstream image.
    pub user_name: &'static str,
    /// The writable directory its image creates, owned by [`Facts::user`] (`None`: keeps no data).
    pub image_data_dir: Option<&'static str>,
    /// The image carries CA certificates (it makes TLS connections).
    pub cacert: bool,
    /// The image carries the time zone database.
    pub tzdata: bool,
    /// Port fields of its block, the main HTTP one first.
    pub ports: &'static [PortField],
    /// Grafana provisions it as a datasource with uid = [`Facts::name`].
    pub datasource: Option<DatasourceFacts>,
    /// Prometheus scrapes it.
    pub self_scrape: Option<SelfScrape>,
    /// Its duration field that says how long data is kept (sizes volumes; W0600).
    pub retention_field: Option<&'static str>,
    /// The argument that makes the program print its version and exit 0 at once, touching
    /// nothing (`--version`): a container that runs it only exists to receive files.
    pub version_flag: &'static str,
    /// It measures the machine it runs on (node_exporter): a container target gives it the
    /// host's PID namespace and the host's root file system, read-only.
    pub measures_host: bool,
    /// Its HTTP API asks who is calling (Grafana's logins); the others answer anyone who
    /// reaches the port (W0606 when such a port is published beyond loopback).
    pub authenticates: bool,
}

const fn port(field: &'static str, name: &'static str, role: PortRole) -> PortField {
    PortField { field, name, role }
}
const fn scrape(job: &'static str) -> Option<SelfScrape> {
    Some(SelfScrape { job, path: "/metrics", port_field: "port" })
}
const NOBODY: User = User { uid: 65534, gid: 65534 };

static NODE_EXPORTER: Facts = Facts {
    name: "node_exporter",
    program: "node_exporter",
    package: "node-exporter",
    nixpkgs_attr: "prometheus-node-exporter",
    user: NOBODY,
    user_name: "nobody",
    image_data_dir: None,
    cacert: false,
    tzdata: false,
    ports: &[port("port", "http", PortRole::Metrics)],
    datasource: None,
    self_scrape: scrape("node"),
    retention_field: None,
    version_flag: "--version",
    measures_host: true,
    authenticates: false,
};

static ALERTMANAGER: Facts = Facts {
    name: "alertmanager",
    program: "alertmanager",
    package: "alertmanager",
    nixpkgs_attr: "prometheus-alertmanager",
    user: NOBODY,
    user_name: "nobody",
    image_data_dir: Some("/alertmanager"),
    // webhook, Slack and e-mail receivers over TLS; time intervals with a `location`
    cacert: true,
    tzdata: true,
    ports: &[port("port", "http", PortRole::Api)],
    datasource: Some(DatasourceFacts { plugin: "alertmanager", title: "Alertmanager", languages: &[] }),
    self_scrape: scrape("alertmanager"),
    retention_field: None,
    version_flag: "--version",
    measures_host: false,
    authenticates: false,
};

static PROMETHEUS: Facts = Facts {
    name: "prometheus",
    program: "prometheus",
    package: "prometheus",
    nixpkgs_attr: "prometheus",
    user: NOBODY,
    user_name: "nobody",
    image_data_dir: Some("/prometheus"),
    // HTTPS scrape targets and remote write
    cacert: true,
    tzdata: false,
    ports: &[port("port", "http", PortRole::Api)],
    datasource: Some(DatasourceFacts { plugin: "prometheus", title: "Prometheus", languages: &[QueryLang::Promql] }),
    self_scrape: scrape("prometheus"),
    retention_field: Some("retention"),
    version_flag: "--version",
    measures_host: false,
    authenticates: false,
};

static LOKI: Facts = Facts {
    name: "loki",
    program: "loki",
    package: "loki",
    nixpkgs_attr: "grafana-loki",
    user: User { uid: 10001, gid: 10001 },
    user_name: "loki",
    image_data_dir: Some("/loki"),
    // the generated config stores chunks on the local filesystem
    cacert: false,
    tzdata: false,
    // applications push logs to the HTTP API
    ports: &[port("port", "http", PortRole::Ingest), port("grpc_port", "grpc", PortRole::Internal)],
    datasource: Some(DatasourceFacts { plugin: "loki", title: "Loki", languages: &[QueryLang::Logql] }),
    self_scrape: scrape("loki"),
    retention_field: Some("retention"),
    version_flag: "-version",
    measures_host: false,
    authenticates: false,
};

static TEMPO: Facts = Facts {
    name: "tempo",
    program: "tempo",
    package: "tempo",
    nixpkgs_attr: "tempo",
    user: User { uid: 10001, gid: 10001 },
    user_name: "tempo",
    image_data_dir: Some("/var/tempo"),
    // local trace storage; remote write to Prometheus is plain HTTP inside the stack
    cacert: false,
    tzdata: false,
    ports: &[
        port("port", "http", PortRole::Api),
        port("grpc_port", "grpc", PortRole::Internal),
        port("otlp_grpc_port", "otlp-grpc", PortRole::Ingest),
        port("otlp_http_port", "otlp-http", PortRole::Ingest),
        // gossip between Tempo's own rings; bound even by a single binary
        port("memberlist_port", "memberlist", PortRole::Internal),
    ],
    datasource: Some(DatasourceFacts { plugin: "tempo", title: "Tempo", languages: &[QueryLang::Traceql] }),
    self_scrape: scrape("tempo"),
    retention_field: Some("retention"),
    version_flag: "-version",
    measures_host: false,
    authenticates: false,
};

static GRAFANA: Facts = Facts {
    name: "grafana",
    program: "grafana",
    package: "grafana",
    nixpkgs_attr: "grafana",
    user: User { uid: 472, gid: 0 },
    user_name: "grafana",
    image_data_dir: Some("/var/lib/grafana"),
    // plugin catalogue, external data sources and OAuth over HTTPS; dashboards and alert
    // rules with time zones
    cacert: true,
    tzdata: true,
    ports: &[port("port", "http", PortRole::Ui)],
    datasource: None,
    self_scrape: scrape("grafana"),
    retention_field: None,
    version_flag: "--version",
    measures_host: false,
    authenticates: true,
};

impl Component {
    /// Every component, in start order.
    pub const ALL: [Component; 6] =
        [Component::NodeExporter, Component::Alertmanager, Component::Prometheus, Component::Loki, Component::Tempo, Component::Grafana];

    /// The facts table row of this component.
    pub const fn facts(self) -> &'static Facts {
        match self {
            Component::NodeExporter => &NODE_EXPORTER,
            Component::Alertmanager => &ALERTMANAGER,
            Component::Prometheus => &PROMETHEUS,
            Component::Loki => &LOKI,
            Component::Tempo => &TEMPO,
            Component::Grafana => &GRAFANA,
        }
    }

    /// The component's name (`node_exporter`).
    pub const fn name(self) -> &'static str {
        self.facts().name
    }

    /// The component called `name` in source.
    pub fn from_name(name: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Components Grafana provisions as datasources, in start order.
    pub fn datasources() -> impl Iterator<Item = (Component, DatasourceFacts)> {
        Component::ALL.into_iter().filter_map(|c| c.facts().datasource.map(|d| (c, d)))
    }

    /// `name` is a component Grafana provisions as a datasource (uid = the name).
    pub fn is_datasource(name: &str) -> bool {
        Component::from_name(name).is_some_and(|c| c.facts().datasource.is_some())
    }

    /// The component that answers queries in `lang` (`None` for SQL: several plugins can).
    pub fn answering(lang: QueryLang) -> Option<Component> {
        Component::datasources().find(|(_, d)| d.languages.contains(&lang)).map(|(c, _)| c)
    }

    /// The datasource plugin that answers `lang` (`None` for SQL: several plugins can).
    pub fn plugin_answering(lang: QueryLang) -> Option<&'static str> {
        Component::answering(lang).and_then(|c| c.facts().datasource).map(|d| d.plugin)
    }

    /// The image a container target runs when the user names none: `gstack/<package>:<version>`.
    pub fn default_image(self, version: &str) -> String {
        format!("gstack/{}:{version}", self.facts().package)
    }
}

/// The value of each port field of an enabled component, in the table's order.
pub fn ports_of(stack: &ir::Stack, c: Component) -> Vec<(PortField, u16)> {
    let values: Vec<u16> = match c {
        Component::NodeExporter => stack.node_exporter.iter().map(|n| n.port).collect(),
        Component::Alertmanager => stack.alertmanager.iter().map(|a| a.port).collect(),
        Component::Prometheus => stack.prometheus.iter().map(|p| p.port).collect(),
        Component::Loki => stack.loki.iter().flat_map(|l| [l.port, l.grpc_port]).collect(),
        Component::Tempo => stack.tempo.iter().flat_map(|t| [t.port, t.grpc_port, t.otlp_grpc_port, t.otlp_http_port, t.memberlist_port]).collect(),
        Component::Grafana => stack.grafana.iter().map(|g| g.port).collect(),
    };
    c.facts().ports.iter().copied().zip(values).collect()
}

/// The port of a component's field, when the component is enabled.
pub fn port_of(stack: &ir::Stack, c: Component, field: &str) -> Option<u16> {
    ports_of(stack, c).into_iter().find(|(f, _)| f.field == field).map(|(_, p)| p)
}

/// The version of an enabled component.
pub fn version_of(stack: &ir::Stack, c: Component) -> Option<&str> {
    match c {
        Component::NodeExporter => stack.node_exporter.as_ref().map(|n| n.version.as_str()),
        Component::Alertmanager => stack.alertmanager.as_ref().map(|a| a.version.as_str()),
        Component::Prometheus => stack.prometheus.as_ref().map(|p| p.version.as_str()),
        Component::Loki => stack.loki.as_ref().map(|l| l.version.as_str()),
        Component::Tempo => stack.tempo.as_ref().map(|t| t.version.as_str()),
        Component::Grafana => stack.grafana.as_ref().map(|g| g.version.as_str()),
    }
}

/// The enabled components of a stack, in start order.
pub fn enabled(stack: &ir::Stack) -> Vec<Component> {
    Component::ALL.into_iter().filter(|c| version_of(stack, *c).is_some()).collect()
}

/// `nix/components.nix`: this table as plain Nix data for the flake (images, packages, the
/// NixOS module). Ports are each component's exposed ports ([`PortRole::exposed`]) at their
/// schema defaults (`default_port(component, field)` gives them). The text is laid out as
/// `nixfmt` leaves it (`nix/tests.sh` runs `nixfmt --check`). The file is generated: edit
/// this table.
pub fn components_nix(default_port: impl Fn(Component, &str) -> u16) -> String {
    let mut s = String::from(
        "# The programs of a gstack stack, as plain data (needs nothing, not even `lib`).\n\
         # GENERATED from gstackc's facts table (compiler/src/programs.rs) by the test\n\
         # `nix_components_are_generated`; regenerate with GSTACK_UPDATE_DOCS=1 cargo test -p gstack --test docs.\n\
         #\n\
         # Keys are the component names gstackc uses (`node_exporter`, not `node-exporter`).\n\
         # - package:     the flake's package attribute (and image `gstack/<package>`)\n\
         # - nixpkgsAttr: where nixpkgs 25.11 keeps it (pkgs/by-name/…/package.nix, read for this)\n\
         # - program:     the executable in `bin/` (gstackc's `bin` map key is the component's program)\n\
         # - uid/gid:     the user the container images run as; the compose and Kubernetes targets\n\
         #                use the same numbers (gstackc's facts table: `User { uid, gid }`)\n\
         # - dataDir:     the writable directory the image creates, owned by uid:gid\n\
         # - ports:       the ports the image exposes, at their defaults\n\
         # - cacert/tzdata: whether the image carries CA certificates / the time zone database\n\
         #                (why each program needs them: the comments in programs.rs)\n\
         {\n",
    );
    for c in Component::ALL {
        let f = c.facts();
        let ports: Vec<u16> = f.ports.iter().filter(|p| p.role.exposed()).map(|p| default_port(c, p.field)).collect();
        // as nixfmt lays lists out: `[ ]`, `[ 3000 ]`, else one element a line
        let ports = if ports.is_empty() {
            "[ ]".to_string()
        } else if ports.len() == 1 {
            format!("[ {} ]", ports[0])
        } else {
            let mut t = String::from("[\n");
            for p in &ports {
                t.push_str(&format!("      {p}\n"));
            }
            t.push_str("    ]");
            t
        };
        let data = f.image_data_dir.map_or("null".to_string(), |d| format!("\"{d}\""));
        s.push_str(&format!(
            "  {name} = {{\n    package = \"{package}\";\n    nixpkgsAttr = \"{attr}\";\n    program = \"{program}\";\n    uid = {uid};\n    gid = {gid};\n    userName = \"{user}\";\n    dataDir = {data};\n    ports = {ports};\n    cacert = {cacert};\n    tzdata = {tzdata};\n  }};\n",
            name = f.name,
            package = f.package,
            attr = f.nixpkgs_attr,
            program = f.program,
            uid = f.user.uid,
            gid = f.user.gid,
            user = f.user_name,
            cacert = f.cacert,
            tzdata = f.tzdata,
        ));
    }
    s.push_str("}\n");
    s
}

impl ir::Stack {
    /// The component is enabled in this stack.
    pub fn has(&self, c: Component) -> bool {
        version_of(self, c).is_some()
    }
}
