//! Alertmanager: `alertmanager.yml` (routes and receivers with their integrations; secrets
//! as the integrations' `*_file` fields) and its flags: a single node (clustering off), or
//! with `replicas` ≥ 2 one service per peer of a gossip cluster (`--cluster.*`,
//! https://prometheus.io/docs/alerting/latest/alertmanager/#high-availability). Follows
//! https://prometheus.io/docs/alerting/latest/configuration/.

use super::*;
use crate::ir::{Alertmanager, IntegrationValue, Route, StrOrSecret};
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
    for (k, list) in [("mute_time_intervals", &r.mute_time_intervals), ("active_time_intervals", &r.active_time_intervals)] {
        if !list.is_empty() {
            v[k] = json!(list);
        }
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
    // a secret read by file: the secret `name` and the path Alertmanager reads it from
    let secret_file = |name: String, secret: &crate::ir::SecretRef, secrets: &mut Vec<SecretUse>| -> serde_json::Value {
        let path = ctx.secret_file(Component::Alertmanager, &name, secret);
        secrets.push(SecretUse::file(name, secret.clone()));
        json!(path)
    };
    let url = |field: &str, file_field: &str, rname: &str, v: &StrOrSecret, secrets: &mut Vec<SecretUse>| -> serde_json::Value {
        match v {
            StrOrSecret::Plain(u) => json!({ field: u }),
            StrOrSecret::Secret { secret } => json!({ file_field: secret_file(format!("{rname}-{}", field.replace('_', "-")), secret, secrets) }),
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
            for i in &r.integrations {
                // a record's fields; a secret `<receiver>-<kind>-<path>` as its field's `_file` twin
                fn fields(path: &str, fs: &[(&str, IntegrationValue)], secrets: &mut Vec<SecretUse>, file: &dyn Fn(String, &crate::ir::SecretRef, &mut Vec<SecretUse>) -> serde_json::Value) -> serde_json::Value {
                    let mut c = json!({});
                    for (k, val) in fs {
                        let at = format!("{path}-{}", k.replace('_', "-"));
                        c[*k] = match val {
                            IntegrationValue::Str(s) => json!(s),
                            IntegrationValue::Int(n) => json!(n),
                            IntegrationValue::Bool(b) => json!(b),
                            IntegrationValue::Map(m) => json!(m),
                            IntegrationValue::List(l) => json!(l),
                            IntegrationValue::Record(inner) => fields(&at, inner, secrets, file),
                            IntegrationValue::Headers(h) => json!(h.iter().map(|(n, v)| (n.clone(), json!({ "values": [v] }))).collect::<serde_json::Map<String, serde_json::Value>>()),
                            IntegrationValue::Secret(secret) => {
                                c[format!("{k}_file")] = file(at, secret, secrets);
                                continue;
                            }
                        };
                    }
                    c
                }
                v[i.configs] = json!([fields(&format!("{}-{}", r.name, i.kind), &i.fields, &mut secrets, &secret_file)]);
            }
            v
        })
        .collect();
    let mut cfg = json!({ "route": route(&a.route), "receivers": receivers });
    if let Some(h) = &a.smtp_smarthost {
        cfg["global"]["smtp_smarthost"] = json!(h);
    }
    if let Some(f) = &a.smtp_from {
        cfg["global"]["smtp_from"] = json!(f);
    }
    if let Some(d) = a.resolve_timeout {
        cfg["global"]["resolve_timeout"] = json!(d.to_prometheus());
    }
    if let Some(t) = a.smtp_require_tls {
        cfg["global"]["smtp_require_tls"] = json!(t);
    }
    if !a.time_intervals.is_empty() {
        cfg["time_intervals"] = a.time_intervals.iter().map(|t| json!({ "name": t.name, "time_intervals": [time_interval(t)] })).collect();
    }
    if !a.inhibit_rules.is_empty() {
        cfg["inhibit_rules"] = a
            .inhibit_rules
            .iter()
            .map(|i| {
                let mut v = json!({ "source_matchers": i.source_matchers, "target_matchers": i.target_matchers });
                if !i.equal.is_empty() {
                    v["equal"] = json!(i.equal);
                }
                v
            })
            .collect();
    }
    if !a.templates.is_empty() {
        cfg["templates"] = a.templates.iter().map(|t| json!(template_file(t))).collect();
    }
    merge(&mut cfg, &a.settings);
    (cfg, secrets)
}

/// The connections notifications make, from the final config (settings included): each
/// receiver's endpoint (`url`, `api_url`, `webhook_url`; its `http_config.proxy_url` when it
/// has one), host and port; a URL read from a secret file, unknown until run time, by
/// its integration's scheme (`https`: 443, and 80 for a webhook, which may be plain HTTP);
/// e-mail to its smarthost (else the SMTP ports 25, 465, 587).
pub fn notification_flows(cfg: &serde_json::Value) -> Vec<ExternalFlow> {
    let mut out = vec![];
    let global = &cfg["global"];
    let smarthost = global["smtp_smarthost"].as_str();
    for r in cfg["receivers"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default();
        let Some(m) = r.as_object() else { continue };
        for (kind, list) in m.iter().filter(|(k, _)| k.ends_with("_configs")) {
            for c in list.as_array().into_iter().flatten() {
                let why = |at: &str| format!("receiver {name} ({kind}) to {at}");
                if kind == "email_configs" {
                    match c["smarthost"].as_str().or(smarthost).and_then(|h| host_port(h, Some(25))) {
                        Some((h, p)) => out.push(ExternalFlow { port: p, why: why(&format!("{h}:{p}")) }),
                        None => out.extend([25, 465, 587].map(|p| ExternalFlow { port: p, why: why("its SMTP server") })),
                    }
                    continue;
                }
                // the proxy it goes through, else the integration's endpoint (not a link in the
                // text, like PagerDuty's `client_url`), given or read from a file
                let url = c["http_config"]["proxy_url"].as_str().or_else(|| ["url", "api_url", "webhook_url"].into_iter().find_map(|k| c[k].as_str()));
                match url.and_then(|u| host_port(u, Some(443))) {
                    Some((h, p)) => out.push(ExternalFlow { port: p, why: why(&format!("{h}:{p}")) }),
                    None => {
                        out.push(ExternalFlow { port: 443, why: why("a URL from a secret") });
                        if kind == "webhook_configs" {
                            out.push(ExternalFlow { port: 80, why: why("a URL from a secret") });
                        }
                    }
                }
            }
        }
    }
    out
}

/// Where a template file is written, relative to `alertmanager.yml` (Alertmanager resolves
/// `templates` entries against the config file's directory).
fn template_file(t: &crate::ir::NotificationTemplate) -> String {
    format!("templates/{}.tmpl", t.name)
}

/// Every peer's `(host, HTTP port)`, peer 0 first: where senders (Prometheus, the Loki
/// ruler) send each alert (all of them: the peers deduplicate the notifications) and what
/// Prometheus scrapes. One entry for a single node.
pub fn peers(a: &Alertmanager, ctx: &Ctx) -> Vec<(String, u16)> {
    (0..a.replicas as usize).map(|i| (ctx.peer_host(Component::Alertmanager, i), ctx.peer_port(i, a.port, Alertmanager::PEER_PORT_BLOCK))).collect()
}

/// The service of peer `i` (0 for a single node), rendered with `ctx` for that peer
/// ([`Ctx::for_peer`]): its own name, directories, ports and `--cluster.peer` for each other
/// peer.
pub fn service(a: &Alertmanager, ctx: &Ctx, i: usize) -> Service {
    let (cfg, secrets) = config(a, ctx);
    let external_flows = notification_flows(&cfg);
    let c = Component::Alertmanager;
    let port = ctx.peer_port(i, a.port, Alertmanager::PEER_PORT_BLOCK);
    let readiness = Probe { path: "/-/ready".into(), port, initial_delay: 0 };
    let liveness = Probe { path: "/-/healthy".into(), port, initial_delay: 10 };
    let mut args = vec![
        format!("--config.file={}", ctx.config_dir(c, "alertmanager.yml", Syntax::Shell)),
        format!("--storage.path={}", ctx.data_dir(c, "", Syntax::Shell)),
        format!("--web.listen-address={}", ctx.listen_on(port)),
        // links in notifications (silences, the alert list): where the user reaches it
        format!("--web.external-url={}", ctx.external_url(c, port)),
    ];
    // a peer after the first is reached through the stack only: the user opens the first
    // (compose publishes one port per host port; the peers share their state)
    let role = if i == 0 { PortRole::Api } else { PortRole::Internal };
    let mut ports = vec![PortSpec { name: "http".into(), port, role }];
    let mut flows = vec![];
    if a.replicas < 2 {
        // a single node: no gossip port
        args.push("--cluster.listen-address=".into());
    } else {
        let cluster = |j: usize| ctx.peer_port(j, a.cluster_port, Alertmanager::PEER_PORT_BLOCK);
        args.push(format!("--cluster.listen-address={}", ctx.listen_on(cluster(i))));
        if ctx.peers == PeerLayout::OneHost {
            // the others reach it on this host: without it, a peer listening on every
            // address advertises a private address of the host, or none
            args.push(format!("--cluster.advertise-address={}:{}", ctx.peer_host(c, i), cluster(i)));
        }
        for j in (0..a.replicas as usize).filter(|j| *j != i) {
            args.push(format!("--cluster.peer={}:{}", ctx.peer_host(c, j), cluster(j)));
        }
        ports.push(PortSpec { name: "cluster".into(), port: cluster(i), role: PortRole::Internal });
        // gossip with the other peers (on their own hosts: the same port)
        if ctx.peers == PeerLayout::OwnHost {
            flows.push(Flow { to: c, port: a.cluster_port, udp: true });
        }
    }
    Service {
        name: ctx.instance_name(c),
        host_name: ctx.instance_host_name(c),
        args,
        files: std::iter::once(ConfigFile { path: "alertmanager.yml".into(), content: yaml(&cfg) })
            .chain(a.templates.iter().map(|t| ConfigFile { path: template_file(t), content: t.content.clone() }))
            .collect(),
        ports,
        data_dirs: vec!["".into()],
        secrets,
        external_flows,
        flows,
        stateful: true,
        ..base_service(c, &a.version, readiness, liveness)
    }
}

/// One entry of a time interval's `time_intervals` list, as Alertmanager and Grafana read it:
/// `times` (`start_time`, `end_time`), `weekdays`, `days_of_month`, `months`, `years`,
/// `location`, each only when set.
pub fn time_interval(m: &crate::ir::MuteTiming) -> serde_json::Value {
    let mut ti = json!({});
    if !m.times.is_empty() {
        ti["times"] = json!(m.times.iter().map(|t| json!({ "start_time": t.start, "end_time": t.end })).collect::<Vec<_>>());
    }
    for (k, list) in [("weekdays", &m.weekdays), ("days_of_month", &m.days_of_month), ("months", &m.months), ("years", &m.years)] {
        if !list.is_empty() {
            ti[k] = json!(list);
        }
    }
    if let Some(l) = &m.location {
        ti["location"] = json!(l);
    }
    ti
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A notification goes to the integration's endpoint, not to a link of its text, and
    /// through its proxy when it has one.
    #[test]
    fn flows_go_to_the_endpoint_or_the_proxy() {
        let cfg = json!({ "receivers": [
            { "name": "pager", "pagerduty_configs": [{ "client_url": "https://grafana.example.com:3000", "url": "https://events.example.com:8443/v2/enqueue" }] },
            { "name": "rc", "rocketchat_configs": [{ "icon_url": "https://icons.example.com/i.png", "api_url": "https://chat.example.com/", "http_config": { "proxy_url": "http://proxy.example.com:3128" } }] },
        ] });
        let flows: Vec<(u16, String)> = notification_flows(&cfg).into_iter().map(|f| (f.port, f.why)).collect();
        assert_eq!(
            flows,
            [(8443, "receiver pager (pagerduty_configs) to events.example.com:8443".to_string()), (3128, "receiver rc (rocketchat_configs) to proxy.example.com:3128".to_string())]
        );
    }
}
