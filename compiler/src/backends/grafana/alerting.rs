//! Grafana-managed alerting: contact points, the notification policy, mute timings, notification
//! templates and `grafana_alert` rule groups, written as one file of Grafana's alerting file
//! provisioning, `provisioning/alerting/stack.yaml` (it replaces the directory's empty
//! placeholder file).
//!
//! Field names follow Grafana's own reader, `pkg/services/provisioning/alerting/` of
//! grafana/grafana:
//! - `file_v1.go` (`AlertingFileV1`): `apiVersion`, `groups`, `contactPoints`, `policies`,
//!   `muteTimes`, `templates`; the provisioner (`provisioner.go`) applies rules, then contact
//!   points, mute timings, templates and last the policies, which name them;
//! - `contact_point_types.go`: `orgId`, `name`, `receivers[]` of `uid`, `type`, `settings`,
//!   `disableResolveMessage`; the settings are those of Grafana's integrations (`webhook`:
//!   `url`, `httpMethod`; `email`: `addresses`, `singleEmail`; `slack`: `url`, `recipient`);
//! - `notification_policy_types.go`: a policy is `orgId` plus Grafana's notification route
//!   inline (`receiver`, `group_by`, `object_matchers`, `mute_time_intervals`,
//!   `active_time_intervals` (`definitions.Route`, Grafana 11+), `continue`,
//!   `group_wait`, `group_interval`, `repeat_interval`, `routes`; the names of Grafana's
//!   `RouteExport`);
//! - `mute_times_types.go`: `orgId` plus Alertmanager's time interval inline (`name`,
//!   `time_intervals[]` of `times` (`start_time`, `end_time`), `weekdays`, `days_of_month`,
//!   `months`, `years`, `location`);
//! - `text_templates_types.go`: `orgId`, `name`, `template`;
//! - `rules_types.go`: a group's `orgId`, `name`, `folder`, `interval`, `rules[]` of `uid`,
//!   `title`, `condition`, `data[]` (`refId`, `relativeTimeRange` {`from`, `to`} in seconds,
//!   `datasourceUid`, `model`), `for`, `noDataState` (`NoData`, `Alerting`, `OK`, `KeepLast`),
//!   `execErrState` (`Error`, `Alerting`, `OK`, `KeepLast`), `labels`, `annotations`,
//!   `isPaused`.
//!
//! Interpolation (`pkg/services/provisioning/values/values.go`, `pkg/setting/expanders.go`):
//! what Grafana reads through its `values` package expands `$VAR`, `${VAR}`, `$__env{VAR}` and
//! `$__file{path}`, and `$$` is a literal `$`. That is every contact point setting (a
//! `values.JSONValue` read with `.Value()` since Grafana 9.2), the whole notification policy
//! (re-read from its interpolated JSON), and a rule group's `name`, `folder` and a rule's
//! `title` and `labels`. So secrets are written there as `$__env{…}` / `$__file{…}` (by
//! [`super::values::secret_ref`], as for datasources), and every `$` of plain text there is
//! doubled. Not interpolated, and written as they are: a rule's `annotations` and query `model`
//! (both read from `.Raw`, so `{{ $labels.x }}` and `$__rate_interval` survive), templates and
//! mute timings (plain strings).

use super::values::{esc, secret_ref, secret_use};
use crate::backends::{yaml, ConfigFile, Ctx, SecretUse};
use std::collections::BTreeMap;
use crate::ir::{self, ContactPoint, Grafana, GrafanaAlertRule, IntegrationValue, MuteTiming, NotificationPolicy, StrOrSecret};
use serde_json::{json, Value};

const PATH: &str = "provisioning/alerting/stack.yaml";

/// A setting that may be a secret: `$__env{…}`/`$__file{…}` (and the secret recorded), or text.
fn setting(ctx: &Ctx, name: &str, v: &StrOrSecret, secrets: &mut Vec<SecretUse>) -> Value {
    match v {
        StrOrSecret::Plain(s) => json!(esc(s)),
        StrOrSecret::Secret { secret } => {
            secrets.push(secret_use(name, secret));
            json!(secret_ref(ctx, name, secret))
        }
    }
}

fn contact_point(c: &ContactPoint, ctx: &Ctx, secrets: &mut Vec<SecretUse>) -> Value {
    let mut receivers = vec![];
    let mut add = |kind: &str, settings: Value| {
        receivers.push(json!({ "uid": format!("{}-{kind}", c.uid), "type": kind, "settings": settings, "disableResolveMessage": false }));
    };
    if let Some(w) = &c.webhook {
        let url = setting(ctx, &format!("contact-point-{}-webhook-url", c.uid), w, secrets);
        add("webhook", json!({ "url": url, "httpMethod": "POST" }));
    }
    if let Some(e) = &c.email {
        add("email", json!({ "addresses": esc(e), "singleEmail": false }));
    }
    if let Some(s) = &c.slack {
        let mut v = json!({ "url": setting(ctx, &format!("contact-point-{}-slack-url", c.uid), &s.url, secrets) });
        if let Some(ch) = &s.channel {
            v["recipient"] = json!(esc(ch));
        }
        add("slack", v);
    }
    for i in &c.integrations {
        let settings = integration_settings(ctx, &format!("contact-point-{}-{}", c.uid, i.kind), &i.fields, secrets);
        add(i.configs, settings);
    }
    json!({ "orgId": 1, "name": esc(&c.name), "receivers": receivers })
}

/// An integration's `settings`: each field under its Grafana key, text interpolated (`$`
/// doubled; a map's keys as they are, which Grafana does not interpolate), a secret as `$__env{…}`/`$__file{…}` (named `<prefix>-<key>`), a duration as
/// Prometheus writes it, a record as an object of its own.
fn integration_settings(ctx: &Ctx, prefix: &str, fields: &[(&'static str, IntegrationValue)], secrets: &mut Vec<SecretUse>) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in fields {
        let name = format!("{prefix}-{}", k.to_ascii_lowercase());
        let value = match v {
            IntegrationValue::Str(s) => json!(esc(s)),
            IntegrationValue::Secret(secret) => {
                secrets.push(secret_use(&name, secret));
                json!(secret_ref(ctx, &name, secret))
            }
            IntegrationValue::Int(i) => json!(i),
            IntegrationValue::Bool(b) => json!(b),
            // Grafana interpolates a map's values, not its keys
            IntegrationValue::Map(m) | IntegrationValue::Headers(m) => json!(m.iter().map(|(k, v)| (k.clone(), esc(v))).collect::<BTreeMap<_, _>>()),
            IntegrationValue::List(l) => json!(l.iter().map(|s| esc(s)).collect::<Vec<_>>()),
            IntegrationValue::Record(inner) => integration_settings(ctx, &name, inner, secrets),
        };
        out.insert((*k).to_string(), value);
    }
    Value::Object(out)
}

fn policy(p: &NotificationPolicy) -> Value {
    let mut v = json!({});
    if let Some(c) = &p.contact_point {
        v["receiver"] = json!(esc(c));
    }
    if !p.group_by.is_empty() {
        v["group_by"] = json!(p.group_by.iter().map(|g| esc(g)).collect::<Vec<_>>());
    }
    if !p.matchers.is_empty() {
        v["object_matchers"] = json!(p.matchers.iter().map(|m| [esc(&m.label), m.op.clone(), esc(&m.value)]).collect::<Vec<_>>());
    }
    if !p.mute_timings.is_empty() {
        v["mute_time_intervals"] = json!(p.mute_timings.iter().map(|m| esc(m)).collect::<Vec<_>>());
    }
    if !p.active_timings.is_empty() {
        v["active_time_intervals"] = json!(p.active_timings.iter().map(|m| esc(m)).collect::<Vec<_>>());
    }
    for (k, d) in [("group_wait", p.group_wait), ("group_interval", p.group_interval), ("repeat_interval", p.repeat_interval)] {
        if let Some(d) = d {
            v[k] = json!(d.to_prometheus());
        }
    }
    if p.continue_ {
        v["continue"] = json!(true);
    }
    if !p.routes.is_empty() {
        v["routes"] = json!(p.routes.iter().map(policy).collect::<Vec<_>>());
    }
    v
}

fn mute_timing(m: &MuteTiming) -> Value {
    json!({ "orgId": 1, "name": m.name, "time_intervals": [crate::backends::alertmanager::time_interval(m)] })
}


/// One rule: its PromQL as instant query `A`, and threshold expression `C` (`A > 0`), the condition.
fn rule(stack: &ir::Stack, r: &GrafanaAlertRule) -> Value {
    let ir::DsRef { kind, uid } = stack.datasource_ref(&r.datasource);
    let a = json!({
        "refId": "A",
        "relativeTimeRange": { "from": 600, "to": 0 },
        "datasourceUid": uid,
        "model": {
            "refId": "A",
            "datasource": { "type": kind, "uid": uid },
            "expr": r.query.expr,
            "instant": true,
            "range": false,
            "editorMode": "code",
            "intervalMs": 1000,
            "maxDataPoints": 43200,
        },
    });
    let c = json!({
        "refId": "C",
        "datasourceUid": "__expr__",
        "model": {
            "refId": "C",
            "datasource": { "type": "__expr__", "uid": "__expr__" },
            "type": "threshold",
            "expression": "A",
            "conditions": [{
                "type": "query",
                "evaluator": { "type": "gt", "params": [0] },
                "operator": { "type": "and" },
                "query": { "params": ["C"] },
                "reducer": { "type": "last", "params": [] },
            }],
            "intervalMs": 1000,
            "maxDataPoints": 43200,
        },
    });
    let mut v = json!({
        "uid": r.uid,
        "title": esc(&r.title),
        "condition": "C",
        "data": [a, c],
        "for": r.for_.to_prometheus(),
        "noDataState": r.no_data,
        "execErrState": r.exec_err,
        "isPaused": false,
    });
    if !r.labels.is_empty() {
        v["labels"] = json!(r.labels.iter().map(|(k, x)| (k.clone(), esc(x))).collect::<BTreeMap<_, _>>());
    }
    if !r.annotations.is_empty() {
        v["annotations"] = json!(r.annotations);
    }
    v
}

/// Rule groups, one per (folder, group), in the order of their first rule.
fn groups(stack: &ir::Stack) -> Vec<Value> {
    let mut order: Vec<(&str, &str)> = vec![];
    for r in &stack.grafana_alerts {
        if !order.contains(&(r.folder.as_str(), r.group.as_str())) {
            order.push((&r.folder, &r.group));
        }
    }
    order
        .into_iter()
        .map(|(folder, group)| {
            let rules: Vec<&GrafanaAlertRule> = stack.grafana_alerts.iter().filter(|r| r.folder == folder && r.group == group).collect();
            json!({
                "orgId": 1,
                "name": esc(group),
                "folder": esc(folder),
                "interval": rules[0].interval.to_prometheus(),
                "rules": rules.iter().map(|r| rule(stack, r)).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The alerting provisioning file, or `None` when the stack has nothing to provision.
pub fn file(stack: &ir::Stack, g: &Grafana, ctx: &Ctx, secrets: &mut Vec<SecretUse>) -> Option<Value> {
    let a = &g.alerting;
    if a.is_empty() && stack.grafana_alerts.is_empty() {
        return None;
    }
    let mut doc = json!({ "apiVersion": 1 });
    if !a.contact_points.is_empty() {
        doc["contactPoints"] = json!(a.contact_points.iter().map(|c| contact_point(c, ctx, secrets)).collect::<Vec<_>>());
    }
    if let Some(p) = &a.policy {
        let mut root = json!({ "orgId": 1 });
        if let (Value::Object(r), Value::Object(p)) = (&mut root, policy(p)) {
            r.extend(p);
        }
        doc["policies"] = json!([root]);
    }
    if !a.mute_timings.is_empty() {
        doc["muteTimes"] = json!(a.mute_timings.iter().map(mute_timing).collect::<Vec<_>>());
    }
    if !a.templates.is_empty() {
        doc["templates"] = json!(a.templates.iter().map(|t| json!({ "orgId": 1, "name": t.name, "template": t.content })).collect::<Vec<_>>());
    }
    if !stack.grafana_alerts.is_empty() {
        doc["groups"] = json!(groups(stack));
    }
    Some(doc)
}

/// The valid, empty alerting provisioning file a stack without alerting gets.
pub const EMPTY: &str = "provisioning/alerting/none.yaml";

/// Add `provisioning/alerting/stack.yaml` to Grafana's files (in place of the directory's
/// empty placeholder) when the stack provisions alerting.
pub fn add_files(stack: &ir::Stack, g: &Grafana, ctx: &Ctx, files: &mut Vec<ConfigFile>, secrets: &mut Vec<SecretUse>) {
    let Some(doc) = file(stack, g, ctx, secrets) else { return };
    files.retain(|f| f.path != EMPTY);
    files.push(ConfigFile { path: PATH.into(), content: yaml(&doc) });
}
