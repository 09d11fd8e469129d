//! Grafana-managed alerting in the IR: contact points, the notification policy, mute timings,
//! templates, `[smtp]` and `grafana_alert` rules (written by `backends/grafana/alerting.rs`).

use super::*;

/// Grafana-managed alerting of the `grafana` block, written to Grafana's alerting file
/// provisioning (`provisioning/alerting/stack.yaml`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GrafanaAlerting {
    pub contact_points: Vec<ContactPoint>,
    /// The root notification policy; `None` leaves Grafana's own.
    pub policy: Option<NotificationPolicy>,
    pub mute_timings: Vec<MuteTiming>,
    pub templates: Vec<NotificationTemplate>,
}

impl GrafanaAlerting {
    pub fn is_empty(&self) -> bool {
        self.contact_points.is_empty() && self.policy.is_none() && self.mute_timings.is_empty() && self.templates.is_empty()
    }
}

/// Grafana's `[smtp]` section (`pkg/setting/setting_smtp.go`); `enabled = true` is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrafanaSmtp {
    /// `host:port`.
    pub host: String,
    pub user: Option<String>,
    pub password: Option<SecretRef>,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub ehlo_identity: Option<String>,
    /// `OpportunisticStartTLS`, `MandatoryStartTLS` or `NoStartTLS`.
    pub start_tls_policy: Option<String>,
    pub skip_verify: Option<bool>,
}

/// A Grafana contact point: one integration per channel that is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContactPoint {
    pub name: String,
    /// Prefix of the integrations' uids (`<uid>-webhook`, …).
    pub uid: String,
    pub webhook: Option<StrOrSecret>,
    /// Addresses as Grafana reads them (several separated by `;`).
    pub email: Option<String>,
    pub slack: Option<SlackContact>,
    /// The other integrations, `configs` being Grafana's integration `type`
    /// ([`crate::sema::schema::CONTACT_POINT_INTEGRATIONS`] order).
    pub integrations: Vec<Integration>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlackContact {
    /// Incoming-webhook URL.
    pub url: StrOrSecret,
    /// Channel (`recipient`), overriding the webhook's own.
    pub channel: Option<String>,
}

/// A label matcher `label op value` (`op`: `=`, `!=`, `=~`, `!~`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabelMatcher {
    pub label: String,
    pub op: String,
    pub value: String,
}

/// A Grafana notification policy (the root, or a nested one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotificationPolicy {
    /// Contact point name; `None` inherits the parent's (never for the root).
    pub contact_point: Option<String>,
    pub group_by: Vec<String>,
    pub group_wait: Option<Duration>,
    pub group_interval: Option<Duration>,
    pub repeat_interval: Option<Duration>,
    pub matchers: Vec<LabelMatcher>,
    pub mute_timings: Vec<String>,
    /// Mute timings outside of which this policy sends nothing (`active_time_intervals`).
    pub active_timings: Vec<String>,
    pub continue_: bool,
    pub routes: Vec<NotificationPolicy>,
}

/// A clock range of a day, `HH:MM` to `HH:MM` (end up to `24:00`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimeRange {
    pub start: String,
    pub end: String,
}

/// A mute timing: one Alertmanager time interval (every list empty means always).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MuteTiming {
    pub name: String,
    pub times: Vec<TimeRange>,
    /// `monday`, or a range `monday:friday`.
    pub weekdays: Vec<String>,
    /// `1`, `-1` (the last day), or a range `1:7`.
    pub days_of_month: Vec<String>,
    /// `january`, `1`, or a range `june:august`.
    pub months: Vec<String>,
    /// `2025`, or a range `2025:2026`.
    pub years: Vec<String>,
    /// IANA time zone (`Europe/Berlin`); default UTC.
    pub location: Option<String>,
}

/// A notification template (Go `text/template` `{{ define "name" }}…{{ end }}` blocks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotificationTemplate {
    pub name: String,
    pub content: String,
}

/// A Grafana-managed alert rule: query `A` on a Prometheus datasource, threshold `C` (`A > 0`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrafanaAlertRule {
    /// The declaration name.
    pub name: String,
    pub uid: String,
    pub title: String,
    pub folder: String,
    pub group: String,
    /// The group's evaluation interval.
    pub interval: Duration,
    /// Datasource name (the stack's `prometheus` or a declared Prometheus datasource).
    pub datasource: String,
    pub query: Query,
    pub for_: Duration,
    /// Grafana's `noDataState`: `NoData`, `Alerting`, `OK` or `KeepLast`.
    pub no_data: String,
    /// Grafana's `execErrState`: `Error`, `Alerting`, `OK` or `KeepLast`.
    pub exec_err: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}
