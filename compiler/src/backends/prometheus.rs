//! Prometheus: `prometheus.yml`, rule files from `alert` declarations, and the flags the stack
//! needs. Follows https://prometheus.io/docs/prometheus/latest/configuration/configuration/
//! and the Prometheus 3 command-line reference (`--web.enable-remote-write-receiver`,
//! `--web.enable-otlp-receiver`, `--enable-feature=exemplar-storage`).

use super::*;
use crate::ir::Prometheus;
use serde_json::json;

/// The metrics endpoint of each enabled component Prometheus scrapes, from the facts table:
/// (job, component, port, path).
pub fn self_scrapes(stack: &ir::Stack) -> Vec<(&'static str, Component, u16, &'static str)> {
    crate::programs::enabled(stack)
        .into_iter()
        .filter_map(|c| {
            let s = c.facts().self_scrape?;
            Some((s.job, c, crate::programs::port_of(stack, c, s.port_field)?, s.path))
        })
        .collect()
}

/// `host:port` of every Alertmanager peer, peer 0 first.
fn alertmanagers(a: &ir::Alertmanager, ctx: &Ctx) -> Vec<String> {
    super::alertmanager::peers(a, ctx).into_iter().map(|(h, p)| format!("{h}:{p}")).collect()
}

/// `prometheus.yml` as a JSON tree (rule files are read from `rules/*.yml` next to it).
pub fn config(stack: &ir::Stack, p: &Prometheus, ctx: &Ctx) -> serde_json::Value {
    let mut global = json!({
        "scrape_interval": p.scrape_interval.to_prometheus(),
        "evaluation_interval": p.evaluation_interval.to_prometheus(),
    });
    if !p.external_labels.is_empty() {
        // Prometheus expands `$VAR`/`${VAR}` in external label values at load (config.Load,
        // os.Expand, where `$$` is a `$`): every `$` of the source is written `$$`
        let labels: std::collections::BTreeMap<&String, String> =
            p.external_labels.iter().map(|(k, v)| (k, v.replace('$', "$$"))).collect();
        global["external_labels"] = json!(labels);
    }
    let mut scrape_configs = vec![];
    for (job, comp, port, path) in self_scrapes(stack) {
        let mut sc = json!({ "job_name": job, "metrics_path": path });
        if ctx.per_node && comp.facts().measures_host {
            // one instance per node: every address of its (headless) Service's name
            let host = ctx.hosts.get(&comp).cloned().unwrap_or_else(|| host_name(comp));
            sc["dns_sd_configs"] = json!([{ "names": [host], "type": "A", "port": port }]);
        } else if let (Component::Alertmanager, Some(a)) = (comp, &stack.alertmanager) {
            // every peer of a cluster
            sc["static_configs"] = json!([{ "targets": alertmanagers(a, ctx) }]);
        } else {
            sc["static_configs"] = json!([{ "targets": [ctx.addr(comp, port)] }]);
        }
        scrape_configs.push(sc);
    }
    for s in &p.scrapes {
        let mut sc = json!({
            "job_name": s.name,
            "metrics_path": s.metrics_path,
            "scheme": s.scheme,
            "static_configs": [{ "targets": s.targets.iter().map(|t| user_target(ctx, t)).collect::<Vec<_>>() }],
        });
        if !s.labels.is_empty() {
            sc["static_configs"][0]["labels"] = json!(s.labels);
        }
        if let Some(i) = s.interval {
            sc["scrape_interval"] = json!(i.to_prometheus());
        }
        if let Some(t) = s.timeout {
            sc["scrape_timeout"] = json!(t.to_prometheus());
        }
        scrape_configs.push(sc);
    }
    if ctx.kubernetes_sd {
        // pods that opt in with the `prometheus.io/scrape: "true"` annotation
        scrape_configs.push(json!({
            "job_name": "kubernetes-pods",
            "kubernetes_sd_configs": [{ "role": "pod" }],
            "relabel_configs": [
                { "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], "action": "keep", "regex": "true" },
                { "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_path"], "action": "replace", "target_label": "__metrics_path__", "regex": "(.+)" },
                { "source_labels": ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"], "action": "replace",
                  "regex": "([^:]+)(?::\\d+)?;(\\d+)", "replacement": "$1:$2", "target_label": "__address__" },
                { "source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace" },
                { "source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod" },
            ],
        }));
    }
    let mut cfg = json!({ "global": global });
    if let Some(a) = &stack.alertmanager {
        // every peer: each gets every alert, and the cluster notifies once
        cfg["alerting"] = json!({ "alertmanagers": [{ "static_configs": [{ "targets": alertmanagers(a, ctx) }] }] });
    }
    cfg["rule_files"] = json!(["rules/*.yml"]);
    if p.remote_write_receiver || p.otlp_receiver {
        // remote-write and OTLP pushes may arrive a little late
        cfg["storage"] = json!({ "tsdb": { "out_of_order_time_window": "10m" } });
    }
    cfg["scrape_configs"] = json!(scrape_configs);
    merge(&mut cfg, &p.settings);
    cfg
}

/// Whether exemplars are linked to traces (Grafana shows them, Tempo answers them).
pub fn exemplars(stack: &ir::Stack) -> bool {
    stack.tempo.is_some() && stack.grafana.is_some()
}

pub fn service(stack: &ir::Stack, p: &Prometheus, ctx: &Ctx) -> Service {
    let mut files = vec![ConfigFile { path: "prometheus.yml".into(), content: yaml(&config(stack, p, ctx)) }];
    files.push(ConfigFile {
        path: "rules/alerts.yml".into(),
        content: yaml(&rule_groups(&stack.alerts, None)),
    });
    for imp in &stack.rule_imports {
        // imported rule files are copied as they are, comments included (the checker read
        // and validated this text)
        files.push(ConfigFile { path: format!("rules/imported-{}.yml", imp.name), content: imp.text.clone() });
    }
    let c = Component::Prometheus;
    let mut args = vec![
        format!("--config.file={}", ctx.config_dir(c, "prometheus.yml", Syntax::Shell)),
        format!("--storage.tsdb.path={}", ctx.data_dir(c, "", Syntax::Shell)),
        format!("--storage.tsdb.retention.time={}", p.retention.to_prometheus()),
        format!("--web.listen-address={}", ctx.listen_on(p.port)),
        // alert links (generatorURL) and the UI's own links: where the user reaches it, not
        // the machine's host name
        format!("--web.external-url={}", ctx.external_url(c, p.port)),
    ];
    if let Some(s) = p.retention_size {
        args.push(format!("--storage.tsdb.retention.size={}B", s.0));
    }
    if p.remote_write_receiver {
        args.push("--web.enable-remote-write-receiver".into());
    }
    if p.otlp_receiver {
        args.push("--web.enable-otlp-receiver".into());
    }
    if exemplars(stack) {
        args.push("--enable-feature=exemplar-storage".into());
    }
    let mut flows: Vec<Flow> =
        self_scrapes(stack).into_iter().filter(|(_, to, _, _)| *to != c).map(|(_, to, port, _)| Flow { to, port, udp: false }).collect();
    if let Some(a) = &stack.alertmanager {
        if !flows.iter().any(|f| f.to == Component::Alertmanager) {
            flows.push(Flow { to: Component::Alertmanager, port: a.port, udp: false });
        }
    }
    // the user's own scrape targets live outside the stack
    let external_flows: Vec<ExternalFlow> = p
        .scrapes
        .iter()
        .flat_map(|sc| {
            sc.targets.iter().filter_map(|t| t.rsplit_once(':').and_then(|(_, port)| port.parse().ok())).map(|port| ExternalFlow { port, why: format!("scrape job {}", sc.name) })
        })
        .collect();
    let readiness = Probe { path: "/-/ready".into(), port: p.port, initial_delay: 0 };
    let liveness = Probe { path: "/-/healthy".into(), port: p.port, initial_delay: 10 };
    Service {
        args,
        files,
        ports: port_specs(stack, c),
        data_dirs: vec!["".into()],
        depends_on: stack.alertmanager.as_ref().map(|_| vec![Component::Alertmanager]).unwrap_or_default(),
        flows,
        external_flows,
        kubernetes_api: ctx.kubernetes_sd,
        stateful: true,
        ..base_service(c, &p.version, readiness, liveness)
    }
}

/// A user's scrape target as Prometheus reaches it: in a target where Prometheus has its own
/// network namespace ([`Ctx::host_loopback`]), a loopback host (`127.0.0.1`, `localhost`,
/// `[::1]`, any `127.x.y.z`) means the machine the stack runs on, not Prometheus' container.
pub fn user_target(ctx: &Ctx, target: &str) -> String {
    let Some(host) = &ctx.host_loopback else {
        return target.to_string();
    };
    match target.rsplit_once(':') {
        Some((_, port)) if ir::Scrape::is_loopback(target) => format!("{host}:{port}"),
        _ => target.to_string(),
    }
}
