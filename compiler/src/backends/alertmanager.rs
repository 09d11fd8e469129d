//! Alertmanager: `alertmanager.yml` (routes and receivers; secret URLs as `url_file`) and
//! flags for a single node (clustering off). Follows
//! https://prometheus.io/docs/alerting/latest/configuration/.

use super::*;
use crate::ir::{Alertmanager, Route, StrOrSecret};
use serde_json::json;

fn route(r: &Route) -> serde_json::Value {
    let mut v = json!({ "receiver": r.receiver });
    if !r.group_by.is_empty() {
        v["group_by"] = json!(r.group_by);
    }
    for (k, d) in [("group_wait", r.group_wait), ("group_interval", r.group_interval), ("repeat_interval", r.repeat_interval)] {
        if let Some(d) = d {
            v[k] = json!(d.to_prometheus());
        }
    }
    if !r.matchers.is_empty() {
        v["matchers"] = json!(r.matchers);
    }
    if r.continue_ {
        v["continue"] = json!(true);
    }
    if !r.routes.is_empty() {
        v["routes"] = json!(r.routes.iter().map(route).collect::<Vec<_>>());
    }
    v
}

/// `alertmanager.yml` and the secrets it reads by file.
pub fn config(a: &Alertmanager, ctx: &Ctx) -> (serde_json::Value, Vec<SecretUse>) {
    let mut secrets = vec![];
    let url = |field: &str, file_field: &str, rname: &str, v: &StrOrSecret, secrets: &mut Vec<SecretUse>| -> serde_json::Value {
        match v {
            StrOrSecret::Plain(u) => json!({ field: u }),
            StrOrSecret::Secret { secret } => {
                let name = format!("{rname}-{}", field.replace('_', "-"));
                secrets.push(SecretUse::file(name.clone(), secret.clone()));
                json!({ file_field: ctx.secret_file(Component::Alertmanager, &name, secret) })
            }
        }
    };
    let receivers: Vec<serde_json::Value> = a
        .receivers
        .iter()
        .map(|r| {
            let mut v = json!({ "name": r.name });
            if let Some(w) = &r.webhook {
                v["webhook_configs"] = json!([url("url", "url_file", &r.name, w, &mut secrets)]);
            }
            if let Some(e) = &r.email {
                v["email_configs"] = json!([{ "to": e }]);
            }
            if r.slack_channel.is_some() || r.slack_webhook.is_some() {
                let mut s = match &r.slack_webhook {
                    Some(w) => url("api_url", "api_url_file", &r.name, w, &mut secrets),
                    None => json!({}),
                };
                if let Some(c) = &r.slack_channel {
                    s["channel"] = json!(c);
                }
                v["slack_configs"] = json!([s]);
            }
            v
        })
        .collect();
    let mut cfg = json!({ "route": route(&a.route), "receivers": receivers });
    merge(&mut cfg, &a.settings);
    (cfg, secrets)
}

pub fn service(a: &Alertmanager, ctx: &Ctx) -> Service {
    let (cfg, secrets) = config(a, ctx);
    let c = Component::Alertmanager;
    let readiness = Probe { path: "/-/ready".into(), port: a.port, initial_delay: 0 };
    let liveness = Probe { path: "/-/healthy".into(), port: a.port, initial_delay: 10 };
    Service {
        args: vec![
            format!("--config.file={}", ctx.config_dir(c, "alertmanager.yml", Syntax::Shell)),
            format!("--storage.path={}", ctx.data_dir(c, "", Syntax::Shell)),
            format!("--web.listen-address={}", ctx.listen_on(a.port)),
            // links in notifications (silences, the alert list): where the user reaches it
            format!("--web.external-url={}", ctx.external_url(c, a.port)),
            // a single node: no gossip port
            "--cluster.listen-address=".into(),
        ],
        files: vec![ConfigFile { path: "alertmanager.yml".into(), content: yaml(&cfg) }],
        ports: vec![PortSpec { name: "http".into(), port: a.port, role: PortRole::Api }],
        data_dirs: vec!["".into()],
        secrets,
        stateful: true,
        ..base_service(c, &a.version, readiness, liveness)
    }
}
