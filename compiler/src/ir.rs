//! The typed stack IR: one checked, resolved, defaults-filled description of the whole stack.
//! Plain serde data; backends (one per program) and target renderers read only this.
//! `gstackc build --emit ir FILE` prints it as JSON.
//!
//! Units are normalised: [`Duration`] in milliseconds, [`Bytes`] in bytes, [`Cpu`] in
//! millicores. Secrets are [`SecretRef`]s: a file path or an environment variable name, never a
//! value.

use serde::Serialize;
use std::collections::BTreeMap;

mod alertmanager;
pub use alertmanager::*;
mod grafana_alerting;
pub use grafana_alerting::*;
mod panel;
pub use panel::*;

/// A floating-point number with total equality (bitwise), so IR values can be compared.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Num(pub f64);
impl Eq for Num {}

/// A length of time in milliseconds. Serialises as the shortest Prometheus duration string
/// (`15d`, `1h30m`, `500ms`), which is also what Loki, Tempo and Alertmanager accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Duration {
    pub millis: u64,
}

impl Duration {
    pub const fn from_secs(s: u64) -> Duration {
        Duration { millis: s * 1000 }
    }
    /// Prometheus duration text: units d, h, m, s, ms, largest first (`15d`, `1h30m`).
    pub fn to_prometheus(self) -> String {
        if self.millis == 0 {
            return "0s".into();
        }
        const UNITS: &[(&str, u64)] = &[
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ];
        let mut rest = self.millis;
        let mut out = String::new();
        for (u, ms) in UNITS {
            if rest >= *ms {
                out.push_str(&format!("{}{}", rest / ms, u));
                rest %= ms;
            }
        }
        out
    }
    /// Go `time.Duration` text (no `d`/`w`/`y`): `744h`, `1m30s`.
    pub fn to_go(self) -> String {
        if self.millis == 0 {
            return "0s".into();
        }
        let mut rest = self.millis;
        let mut out = String::new();
        for (u, ms) in [("h", 3_600_000u64), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= ms {
                out.push_str(&format!("{}{}", rest / ms, u));
                rest %= ms;
            }
        }
        out
    }
    pub fn secs(self) -> u64 {
        self.millis / 1000
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_prometheus())
    }
}

/// A size in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(transparent)]
pub struct Bytes(pub u64);

impl Bytes {
    /// Kubernetes quantity text: binary suffixes when exact (`2Gi`), else plain bytes.
    pub fn to_k8s(self) -> String {
        for (s, m) in [("Ti", 1u64 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
            if self.0 >= m && self.0 % m == 0 {
                return format!("{}{}", self.0 / m, s);
            }
        }
        self.0.to_string()
    }
}

/// CPU in millicores (`500m` = 500, `2` = 2000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(transparent)]
pub struct Cpu(pub u64);

/// A secret by reference. Generated files mention the path or variable name, never the value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretRef {
    /// `secret.file("/run/secrets/x")`
    File(String),
    /// `secret.env("NAME")`
    Env(String),
}

/// A string that may instead be a secret reference (URLs with tokens, passwords).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum StrOrSecret {
    Plain(String),
    Secret { secret: SecretRef },
}

/// The language of an embedded query literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryLang {
    Promql,
    Logql,
    Traceql,
    Sql,
}

impl QueryLang {
    pub fn parse(s: &str) -> Option<QueryLang> {
        Some(match s {
            "promql" => QueryLang::Promql,
            "logql" => QueryLang::Logql,
            "traceql" => QueryLang::Traceql,
            "sql" => QueryLang::Sql,
            _ => return None,
        })
    }
}

/// A checked query: language and text after interpolation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Query {
    pub lang: QueryLang,
    pub expr: String,
}

/// A panel's query with the options of its Grafana target (a `target "refId" { … }` block;
/// none for `query` and `queries`, whose refIds are `A`, `B`, … by position).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PanelQuery {
    #[serde(flatten)]
    pub query: Query,
    /// `refId`: the `target` block's label, or the next free letter.
    pub ref_id: String,
    pub legend: Option<String>,
    pub instant: Option<bool>,
    /// `time_series`, `table` or `heatmap` (PromQL).
    pub format: Option<String>,
    pub interval: Option<Duration>,
    pub hide: bool,
}

/// Freeform settings (`settings { a.b = 1 }`), as nested JSON objects, merged over generated
/// config by the backend of that program.
pub type Settings = BTreeMap<String, serde_json::Value>;

/// A resolved datasource: what a dashboard or alert rule writes as `datasource`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct DsRef {
    /// Grafana plugin id.
    #[serde(rename = "type")]
    pub kind: String,
    pub uid: String,
}

impl Stack {
    /// The resolved datasource of a name the checker accepted (`type` and `uid` the name itself
    /// for a name it did not: a datasource variable such as `${ds}`).
    pub fn datasource_ref(&self, name: &str) -> DsRef {
        self.datasource_refs.get(name).cloned().unwrap_or_else(|| DsRef { kind: name.to_string(), uid: name.to_string() })
    }
}

/// A Grafana uid derived from a name: lower-case ASCII letters, digits, `-` and `_` (anything
/// else becomes `-`), at most 40 characters (Grafana's limit).
pub fn uid_from(name: &str) -> String {
    let mut s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' }).collect();
    s.truncate(40);
    s
}

/// The whole stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stack {
    pub name: String,
    pub doc: Option<String>,
    pub grafana: Option<Grafana>,
    pub prometheus: Option<Prometheus>,
    pub loki: Option<Loki>,
    pub tempo: Option<Tempo>,
    pub alertmanager: Option<Alertmanager>,
    pub node_exporter: Option<NodeExporter>,
    /// User-declared datasources (the stack's own are derived by the Grafana backend).
    pub datasources: Vec<Datasource>,
    /// Every datasource name a panel, variable or Grafana alert rule may name, resolved: the
    /// enabled components Grafana queries (uid = component name) and the declared ones.
    pub datasource_refs: BTreeMap<String, DsRef>,
    /// Shared with the per-file check results (`sema::check::check_file`), so re-checking
    /// a stack after an edit copies pointers, not dashboards; serialised as the dashboard.
    pub dashboards: Vec<std::sync::Arc<Dashboard>>,
    pub alerts: Vec<AlertRule>,
    pub log_alerts: Vec<AlertRule>,
    pub rule_imports: Vec<RuleImport>,
    /// Grafana-managed alert rules (`grafana_alert`), evaluated by Grafana itself.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grafana_alerts: Vec<GrafanaAlertRule>,
    pub targets: Targets,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grafana {
    pub version: String,
    pub port: u16,
    pub admin_user: String,
    /// `[security] admin_password`: the source's `admin.password`, else the environment
    /// secret [`crate::sema::schema::GRAFANA_ADMIN_PASSWORD_ENV`] (never Grafana's `admin`).
    pub admin_password: SecretRef,
    /// `[security] secret_key`: the source's, else the environment secret
    /// [`crate::sema::schema::GRAFANA_SECRET_KEY_ENV`] (never Grafana's built-in key).
    pub secret_key: SecretRef,
    /// `[smtp]`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp: Option<GrafanaSmtp>,
    pub settings: Settings,
    /// Grafana-managed alerting: contact points, notification policy, mute timings, templates.
    #[serde(skip_serializing_if = "GrafanaAlerting::is_empty")]
    pub alerting: GrafanaAlerting,
    /// How its datasources link traces, logs, metrics and profiles, resolved.
    pub correlations: Correlations,
}

/// The correlation settings of the stack's own datasources, each resolved (defaults applied,
/// datasource names turned into uids): Tempo's `tracesToLogsV2`, `tracesToMetrics`,
/// `tracesToProfiles`, `serviceMap`, `nodeGraph`, `lokiSearch`; Loki's `derivedFields`;
/// Prometheus' `exemplarTraceIdDestinations` (`sema::schema::CORRELATIONS` documents each).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Correlations {
    pub traces_to_logs: Option<TraceLink>,
    pub traces_to_metrics: Option<TraceLink>,
    pub traces_to_profiles: Option<TraceLink>,
    /// The uid of the metrics datasource of Tempo's service map.
    pub service_map: Option<String>,
    pub node_graph: bool,
    /// The uid of the logs datasource Tempo's editor searches traces by.
    pub loki_search: Option<String>,
    pub derived_fields: Vec<DerivedField>,
    pub exemplars: Vec<ExemplarLink>,
}

/// A link from a span to another signal's datasource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceLink {
    pub datasource_uid: String,
    /// Span attribute → the other signal's label.
    pub tags: BTreeMap<String, String>,
    /// A query of the user's own (`customQuery`): logs and profiles.
    pub query: Option<String>,
    /// Named PromQL queries (metrics).
    pub queries: BTreeMap<String, String>,
    /// How long before the span's start and after its end to look.
    pub start_shift: Option<Duration>,
    pub end_shift: Option<Duration>,
    pub filter_by_trace_id: bool,
    pub filter_by_span_id: bool,
    /// Pyroscope's profile type (profiles).
    pub profile_type_id: Option<String>,
}

/// A Loki derived field: a value of a label (`matcher_type` `label`) or a regex's first group
/// (`regex`), linking to a datasource's query or a URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DerivedField {
    pub name: String,
    pub matcher_type: String,
    pub matcher_regex: String,
    pub datasource_uid: Option<String>,
    pub url: String,
    pub url_display_label: Option<String>,
    pub new_tab: bool,
}

/// A Prometheus exemplar link: the label holding the trace id, to a tracing datasource or a URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExemplarLink {
    pub label: String,
    pub datasource_uid: Option<String>,
    pub url: Option<String>,
    pub url_display_label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scrape {
    pub name: String,
    pub targets: Vec<String>,
    pub interval: Option<Duration>,
    pub timeout: Option<Duration>,
    pub metrics_path: String,
    pub scheme: String,
    pub labels: BTreeMap<String, String>,
}

impl Scrape {
    /// Whether a scrape target `host:port` names a loopback host: `localhost`, `[::1]` or
    /// any `127.x.y.z`.
    pub fn is_loopback(target: &str) -> bool {
        let Some((h, _)) = target.rsplit_once(':') else {
            return false;
        };
        h.eq_ignore_ascii_case("localhost")
            || h == "[::1]"
            || h.parse::<std::net::Ipv4Addr>()
                .is_ok_and(|a| a.is_loopback())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prometheus {
    pub version: String,
    pub port: u16,
    pub retention: Duration,
    pub retention_size: Option<Bytes>,
    pub scrape_interval: Duration,
    pub evaluation_interval: Duration,
    pub scrapes: Vec<Scrape>,
    /// `--web.enable-remote-write-receiver`: asked for, or implied by Tempo's generator.
    pub remote_write_receiver: bool,
    /// `--web.enable-otlp-receiver`
    pub otlp_receiver: bool,
    pub external_labels: BTreeMap<String, String>,
    pub settings: Settings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Loki {
    pub version: String,
    pub port: u16,
    pub grpc_port: u16,
    pub retention: Duration,
    /// The stream labels the log shippers set, when declared (queries are checked against
    /// them: W0404).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_labels: Option<Vec<String>>,
    pub settings: Settings,
}

/// A Tempo metrics-generator processor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GeneratorProcessor {
    ServiceGraphs,
    SpanMetrics,
    LocalBlocks,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tempo {
    pub version: String,
    pub port: u16,
    pub grpc_port: u16,
    pub otlp_grpc_port: u16,
    pub otlp_http_port: u16,
    /// Memberlist's gossip port (`memberlist.bind_port`), which Tempo opens even alone.
    pub memberlist_port: u16,
    pub retention: Duration,
    pub generator: Vec<GeneratorProcessor>,
    pub settings: Settings,
}

// Alertmanager: `ir/alertmanager.rs`.

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeExporter {
    pub version: String,
    pub port: u16,
    pub collectors: Vec<String>,
    pub settings: Settings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Datasource {
    pub name: String,
    pub uid: String,
    /// Grafana plugin id: `prometheus`, `loki`, `tempo`, `postgres`, `mysql`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub database: Option<String>,
    pub user: Option<String>,
    pub password: Option<SecretRef>,
    pub is_default: bool,
    /// Its typed `jsonData` keys (`sema::schema::JSON_DATA`), Grafana's names.
    #[serde(skip_serializing_if = "Settings::is_empty")]
    pub json_data: Settings,
    /// Its typed `secureJsonData` keys, by reference (`token`, `accessKey`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secure: Vec<(String, SecretRef)>,
    /// Merged as [`Datasource::OWN_KEYS`] and [`Datasource::TYPED_KEYS`] say.
    pub settings: Settings,
}

impl Datasource {
    /// Keys of a provisioned datasource itself (Grafana's `upsertDataSourceFromConfig`,
    /// `pkg/services/provisioning/datasources/types.go`) that `settings` may set: written at
    /// the datasource's top level. `jsonData = { … }` merges into `jsonData`; any other key
    /// of `settings` is a `jsonData` key.
    pub const OWN_KEYS: &'static [&'static str] = &["access", "basicAuth", "basicAuthUser", "withCredentials", "editable", "version", "correlations"];
    /// Keys `settings` may not set: the typed fields' (`name`, `type`, `uid`, `url`,
    /// `isDefault`, `user`, `database`), which the stack's references rely on, the
    /// organisation (gstack provisions org 1), and `secureJsonData`, whose values would be
    /// secrets in plain text (the typed `password` is one by reference).
    pub const TYPED_KEYS: &'static [&'static str] = &["name", "type", "uid", "url", "isDefault", "user", "database", "orgId", "secureJsonData", "basicAuthPassword", "password"];
}

/// A dashboard template variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Variable {
    Query { name: String, datasource: String, query: String, options: VariableOptions },
    Custom { name: String, values: Vec<String>, options: VariableOptions },
    Interval { name: String, values: Vec<String> },
    Datasource { name: String, plugin: String },
    Constant { name: String, value: String },
    /// Free text the viewer types, `default` at first.
    Textbox { name: String, default: String },
    /// Ad hoc filters: key/value filters the viewer adds, which Grafana applies to every
    /// query of `datasource`.
    #[serde(rename = "adhoc")]
    AdHoc { name: String, datasource: String },
}

/// How a `query` or `custom` variable offers its values, in Grafana's terms (the dashboard
/// JSON model's templating entries): `sort` 0–8 and `refresh` 1–2 as Grafana numbers them,
/// `hide` 0 (shown), 1 (label hidden) or 2 (hidden).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VariableOptions {
    pub multi: bool,
    pub include_all: bool,
    pub all_value: Option<String>,
    pub refresh: u8,
    pub sort: u8,
    pub regex: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub hide: u8,
}

impl Default for VariableOptions {
    /// What a variable without options gets: several values and `All`, refreshed on load,
    /// sorted alphabetically.
    fn default() -> Self {
        VariableOptions { multi: true, include_all: true, all_value: None, refresh: 1, sort: 1, regex: None, label: None, description: None, hide: 0 }
    }
}

impl Variable {
    /// Whether it can stand for several values at once (`multi` or `All`): Grafana then writes
    /// it into PromQL as a regex alternation.
    pub fn many(&self) -> bool {
        match self {
            Variable::Query { options, .. } | Variable::Custom { options, .. } => options.multi || options.include_all,
            _ => false,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Variable::Query { name, .. }
            | Variable::Custom { name, .. }
            | Variable::Interval { name, .. }
            | Variable::Datasource { name, .. }
            | Variable::Constant { name, .. }
            | Variable::Textbox { name, .. }
            | Variable::AdHoc { name, .. } => name,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Threshold {
    pub value: Option<Num>,
    pub color: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Panel {
    /// Grafana panel plugin id (`timeseries`, `state-timeline`, …; see `schema::PANEL_KIND_DEFS`).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    /// Datasource name (a stack component or a declared datasource); `None` for text panels.
    pub datasource: Option<String>,
    pub queries: Vec<PanelQuery>,
    pub legend: Option<String>,
    pub unit: Option<String>,
    pub thresholds: Vec<Threshold>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// A grid place of its own (`gridPos.x`, `gridPos.y`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<(u32, u32)>,
    pub content: Option<String>,
    /// Its own options (`options`), typed by its kind, with Grafana's keys; merged over the
    /// kind's defaults by the Grafana backend.
    pub options: Settings,
    /// Its field config (`fieldConfig.defaults.custom`), the same way.
    #[serde(skip_serializing_if = "Settings::is_empty")]
    pub custom: Settings,
    /// Its transformations in order (`transformations`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transformations: Vec<Transformation>,
    /// The escape hatch (`settings { … }`): merged over the whole panel JSON last.
    #[serde(skip_serializing_if = "Settings::is_empty")]
    pub settings: Settings,
    /// Dashboard variable the panel repeats over.
    pub repeat: Option<String>,
    pub links: Vec<Link>,
    pub time_from: Option<Duration>,
    pub time_shift: Option<Duration>,
    pub overrides: Vec<FieldOverride>,
    pub display: PanelDisplay,
}

/// One of a panel's transformations: Grafana's transformer id and its options, with Grafana's keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transformation {
    pub id: String,
    pub options: Settings,
}

/// A dashboard or panel link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
    pub new_tab: bool,
}

/// Field config applied to the fields a matcher selects (Grafana's `fieldConfig.overrides`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldOverride {
    /// Field name, or a regular expression when `regex`.
    pub field: String,
    pub regex: bool,
    pub unit: Option<String>,
    pub color: Option<String>,
    pub display_name: Option<String>,
    pub decimals: Option<i64>,
    pub min: Option<Num>,
    pub max: Option<Num>,
    /// The panel kind's field config for these fields, Grafana's keys (`custom.<key>` properties).
    #[serde(skip_serializing_if = "Settings::is_empty")]
    pub custom: Settings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub title: String,
    pub collapsed: bool,
    pub panels: Vec<Panel>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DashboardSource {
    /// Written in gstack.
    Native,
    /// `import_dashboard("path.json")`, path relative to the declaring file, resolved.
    /// `json` is the file's dashboard rewritten for the stack (datasources, uid, id) by the
    /// checker, written as it is by the Grafana backend (not serialised: `ir.json` names the path).
    Imported {
        path: String,
        #[serde(skip)]
        json: std::sync::Arc<str>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    /// The declaration name.
    pub name: String,
    /// Grafana uid: declared, or derived from the name; at most 40 characters.
    pub uid: String,
    pub title: String,
    pub folder: Option<String>,
    pub tags: Vec<String>,
    pub refresh: Option<Duration>,
    pub time_from: Duration,
    pub timezone: String,
    pub links: Vec<Link>,
    pub variables: Vec<Variable>,
    /// Panels outside any row.
    pub panels: Vec<Panel>,
    pub rows: Vec<Row>,
    pub source: DashboardSource,
    /// The components it shows (`needs`): the stack writes it only when it enables them all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertRule {
    pub name: String,
    pub group: String,
    pub expr: Query,
    pub for_: Duration,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleImport {
    pub name: String,
    pub path: String,
    /// The file's text, checked by the checker and copied as it is (not serialised).
    #[serde(skip)]
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resources {
    pub component: String,
    /// Limits.
    pub cpu: Option<Cpu>,
    pub memory: Option<Bytes>,
    /// Requests (what the scheduler reserves), at most the limits (E0603).
    pub cpu_request: Option<Cpu>,
    pub memory_request: Option<Bytes>,
    pub storage: Option<Bytes>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NativeTarget {
    pub data_dir: String,
    pub listen: String,
    /// Program name → binary path (default: the program name, found on `PATH`).
    pub bin: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SystemdTarget {
    pub user: bool,
    pub data_dir: Option<String>,
    pub bin: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComposeTarget {
    pub publish_on: String,
    pub project: Option<String>,
    pub images: BTreeMap<String, String>,
    pub resources: Vec<Resources>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ingress {
    pub host: String,
    pub tls_secret: Option<String>,
    pub class: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KubernetesTarget {
    pub namespace: String,
    pub storage_class: Option<String>,
    pub ingress: Option<Ingress>,
    pub service_discovery: bool,
    pub images: BTreeMap<String, String>,
    pub resources: Vec<Resources>,
    /// Write NetworkPolicies (a default deny and each component's flows); off for clusters
    /// whose network plugin does not enforce them.
    pub network_policies: bool,
    /// Egress the stack's flows do not show, allowed to every component.
    pub egress: Vec<EgressRule>,
    /// The host that user scrape targets on a loopback address mean in the cluster
    /// ([`Scrape::is_loopback`]); `None` leaves them (W0605).
    pub loopback_host: Option<String>,
}

/// An allowed egress destination: a port, on any address or on one CIDR block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EgressRule {
    pub cidr: Option<String>,
    pub port: u16,
}

impl EgressRule {
    /// `443`, `10.0.0.0/8:5432`, `[fd00::/8]:5432`; `None` for anything else.
    pub fn parse(s: &str) -> Option<EgressRule> {
        let port = |p: &str| p.parse::<u16>().ok().filter(|p| *p > 0);
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if digits(s) {
            return Some(EgressRule { cidr: None, port: port(s)? });
        }
        let (net, p) = if let Some(rest) = s.strip_prefix('[') {
            let (net, p) = rest.split_once("]:")?;
            let (addr, len) = net.split_once('/')?;
            addr.parse::<std::net::Ipv6Addr>().ok()?;
            (digits(len) && len.parse::<u8>().ok()? <= 128).then_some((net, p))?
        } else {
            let (net, p) = s.rsplit_once(':')?;
            let (addr, len) = net.split_once('/')?;
            addr.parse::<std::net::Ipv4Addr>().ok()?;
            (digits(len) && len.parse::<u8>().ok()? <= 32).then_some((net, p))?
        };
        if !digits(p) {
            return None;
        }
        Some(EgressRule { cidr: Some(net.to_string()), port: port(p)? })
    }
}

/// The most a ConfigMap's JSON may hold for `kubectl apply` (client-side) to record it in
/// its `last-applied-configuration` annotation (the object's annotations: 256 KiB together),
/// with 1 KiB left for its metadata: the kubernetes target packs config files into ConfigMaps
/// under it, and an imported dashboard bigger than it alone is a warning (W0602).
pub const CONFIGMAP_BUDGET: usize = 255 << 10;
/// The most data a ConfigMap can hold (the API server refuses more: 1 MiB), less 1 KiB for
/// its metadata: a dashboard bigger than it alone cannot be provisioned from one (E0601).
pub const CONFIGMAP_LIMIT: usize = 1023 << 10;

impl KubernetesTarget {
    /// What the Helm chart renders when the stack declares no kubernetes target: what
    /// `target kubernetes {}` lowers to (the IR imports nothing, so the schema's defaults are
    /// repeated here; `compiler/tests/defaults.rs` checks the two agree).
    pub fn default_for_helm() -> KubernetesTarget {
        KubernetesTarget {
            namespace: "observability".into(),
            storage_class: None,
            ingress: None,
            service_discovery: false,
            images: Default::default(),
            resources: vec![],
            network_policies: true,
            egress: vec![],
            loopback_host: None,
        }
    }
}

impl NativeTarget {
    /// The native target's defaults for a stack called `stack`: what `target native {}` lowers
    /// to (repeated from the schema, which the IR does not import; `compiler/tests/defaults.rs`
    /// checks the two agree).
    pub fn default_for(stack: &str) -> NativeTarget {
        let listen = "127.0.0.1".into();
        NativeTarget { data_dir: NativeTarget::default_data_dir(stack), listen, bin: Default::default() }
    }
    /// `data_dir`'s computed default (the schema documents it): `~/.local/share/gstack/<stack>`.
    pub fn default_data_dir(stack: &str) -> String {
        format!("~/.local/share/gstack/{stack}")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HelmTarget {
    pub chart: String,
    pub version: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Targets {
    pub native: Option<NativeTarget>,
    pub systemd: Option<SystemdTarget>,
    pub compose: Option<ComposeTarget>,
    pub kubernetes: Option<KubernetesTarget>,
    pub helm: Option<HelmTarget>,
}

// ---- Grafana-managed alerting --------------------------------------------------------------
