//! The Alertmanager part of the IR: the component, its receivers with their integrations,
//! the routing tree and inhibit rules (re-exported from [`crate::ir`]).

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Receiver {
    pub name: String,
    pub webhook: Option<StrOrSecret>,
    pub email: Option<String>,
    pub slack_channel: Option<String>,
    pub slack_webhook: Option<StrOrSecret>,
    /// The other integrations (PagerDuty, OpsGenie, Teams, …), in
    /// [`crate::sema::schema::INTEGRATIONS`] order.
    pub integrations: Vec<Integration>,
}

/// One Alertmanager integration of a receiver, written as one entry of its `configs` list
/// (`pagerduty_configs`, …): its fields under Alertmanager's own names, in the schema's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Integration {
    /// The receiver field it was given as (`pagerduty`).
    pub kind: &'static str,
    /// The list Alertmanager reads it from (`pagerduty_configs`).
    pub configs: &'static str,
    pub fields: Vec<(&'static str, IntegrationValue)>,
}

/// A field value of an [`Integration`]; a secret is written to the field's `_file` twin.
/// A record (SNS's `sigv4`, the `http_config` of Webex and Jira) holds fields the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum IntegrationValue {
    Str(String),
    Secret(SecretRef),
    Int(i64),
    Bool(bool),
    Map(BTreeMap<String, String>),
    List(Vec<String>),
    Record(Vec<(&'static str, IntegrationValue)>),
    /// `http_config.http_headers`: each header name with its one value, written
    /// `{ name: { values: [value] } }` (prometheus/common's `Headers`).
    Headers(BTreeMap<String, String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    pub receiver: String,
    pub group_by: Vec<String>,
    pub group_wait: Option<Duration>,
    pub group_interval: Option<Duration>,
    pub repeat_interval: Option<Duration>,
    /// Matchers in Alertmanager syntax: `severity="critical"`.
    pub matchers: Vec<String>,
    pub continue_: bool,
    /// Names of the alertmanager's `time_intervals` when this route sends nothing.
    pub mute_time_intervals: Vec<String>,
    /// Names of the alertmanager's `time_intervals` outside of which it sends nothing.
    pub active_time_intervals: Vec<String>,
    pub routes: Vec<Route>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alertmanager {
    pub version: String,
    pub port: u16,
    /// Peers of the gossip cluster, 1–9 (1: a single node, clustering off).
    pub replicas: u16,
    /// The peers' gossip port (`--cluster.listen-address`), TCP and UDP; used when
    /// `replicas` > 1.
    pub cluster_port: u16,
    /// `global.smtp_smarthost`: the e-mail receivers' SMTP server, `host:port`.
    pub smtp_smarthost: Option<String>,
    /// `global.smtp_from`: the e-mail receivers' sender address.
    pub smtp_from: Option<String>,
    /// `global.resolve_timeout` (Alertmanager's default 5m when unset).
    pub resolve_timeout: Option<Duration>,
    /// `global.smtp_require_tls` (Alertmanager's default `true` when unset).
    pub smtp_require_tls: Option<bool>,
    /// `inhibit_rules`, in source order.
    pub inhibit_rules: Vec<InhibitRule>,
    /// `time_intervals` (the same shape as Grafana's mute timings), in source order.
    pub time_intervals: Vec<MuteTiming>,
    pub receivers: Vec<Receiver>,
    pub route: Route,
    /// Notification template files, in source order: `templates/<file>.tmpl`.
    pub templates: Vec<NotificationTemplate>,
    pub settings: Settings,
}

impl Alertmanager {
    /// How far apart the peers' ports are on one host: peer `i` listens on `port` and
    /// `cluster_port` each shifted by `i × PEER_PORT_BLOCK` (10: past the neighbouring
    /// defaults, 9095–9096 of Tempo and Loki and 9100 of node-exporter).
    pub const PEER_PORT_BLOCK: u16 = 10;
}

/// An Alertmanager inhibit rule: matchers as Alertmanager parses them (checked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InhibitRule {
    pub source_matchers: Vec<String>,
    pub target_matchers: Vec<String>,
    /// Labels source and target must agree on.
    pub equal: Vec<String>,
}
